import { useEffect, useState } from "react";
import type { FC } from "react";
import axios from "axios";
import debounce from "lodash/debounce";
import { formatTemperature } from "./format";

export const App: FC = () => {
  const [place, setPlace] = useState("berlin");
  const [temp, setTemp] = useState<number | null>(null);

  useEffect(() => {
    const load = debounce(async () => {
      const { data } = await axios.get(`/weather/${place}`);
      setTemp(data.temperature);
    }, 300);
    load();
    return () => load.cancel();
  }, [place]);

  return (
    <main>
      <input value={place} onChange={(e) => setPlace(e.target.value)} />
      <p>{temp === null ? "…" : formatTemperature(temp)}</p>
    </main>
  );
};
