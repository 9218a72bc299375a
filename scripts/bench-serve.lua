-- wrk script for scripts/bench-serve.sh: POST /v1/check with 10 names per request,
-- cycling through bodies that mix popular names, typosquats and invented names, and a
-- latency report (p50, p90, p99, p99.9) in a form the script reads.
local bodies = {
  '{"ecosystem":"pypi","names":["requests","numpy","pandas","flask","django","reqeusts","numpi","fastapi","pydantic","boto3"]}',
  '{"ecosystem":"pypi","names":["scikit-learn","matplotlib","colorama","pyyaml","urllib3","djangoo","setuptools","tensorflow","torch","httpx"]}',
  '{"ecosystem":"npm","names":["lodash","react","express","axios","vue","lodahs","typescript","@types/node","webpack","next"]}',
  '{"names":["requests","lodash","chalk","numpy","left-pad","expres","pytest","jest","rich","click"]}',
}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/v1/check", { ["Content-Type"] = "application/json" }, bodies[i])
end

local non2xx = 0
response = function(status, headers, body)
  if status ~= 200 then non2xx = non2xx + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("seconds %.3f\n", summary.duration / 1e6))
  io.write(string.format("req_per_s %.0f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("p%s_ms %.3f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("errors %d\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
