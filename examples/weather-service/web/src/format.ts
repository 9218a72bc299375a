export function formatTemperature(celsius: number): string {
  return `${celsius.toFixed(1)} °C`;
}
