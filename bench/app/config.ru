# A Rack app that allocates like a real one, for bench/bench.py: each request
# builds records of varied sizes, renders them as JSON, parses that again,
# derives a summary string, and keeps a slice of it in a bounded cache shared
# by all threads, so long-lived strings sit between short-lived garbage.
require "json"

CACHE = {}
CACHE_MAX = 3000
LOCK = Mutex.new

run(lambda do |_env|
  rng = Random.new
  records = Array.new(20 + rng.rand(400)) do |i|
    {
      "id" => i,
      "name" => "user-#{rng.rand(1_000_000)}",
      "tags" => Array.new(rng.rand(8)) { "t" * (1 + rng.rand(40)) },
      "bio" => "x" * rng.rand(2000)
    }
  end
  body = JSON.generate(records)
  summary = JSON.parse(body).map { |r| "#{r["name"]}:#{r["tags"].size}" }.join(",")
  LOCK.synchronize do
    CACHE[rng.rand(100_000)] = summary[0, 1 + rng.rand(summary.size)]
    CACHE.shift while CACHE.size > CACHE_MAX
  end
  [200, { "content-type" => "application/json" }, [body[0, 4096]]]
end)
