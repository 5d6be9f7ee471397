# The Rails-like web workload for bench/bench.py (Puma, 5 to 16 threads).
# Each request does what a controller and its view do: loads "records" of
# mixed sizes (short names, medium descriptions, the odd large blob), renders
# them through an ERB template (a page of HTML, strings of every size), or as
# JSON for the API half of the traffic, and parses the JSON back as a client
# library would. A fragment cache shared by all threads keeps rendered
# fragments (1 KiB to 64 KiB); its bound grows and shrinks over a cycle of
# BENCH_CYCLE_S seconds (20 by default), as caches do when traffic moves
# between pages, so long-lived strings are freed in bulk between short-lived
# garbage: the pattern that fragments malloc's arenas.
require "erb"
require "json"

CACHE = {}
CACHE_MAX = 6000
CYCLE_S = ENV.fetch("BENCH_CYCLE_S", "20").to_f
LOCK = Mutex.new
T0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)

PAGE = ERB.new(<<~'HTML', trim_mode: "-")
  <!DOCTYPE html>
  <html><head><title><%= title %></title></head><body>
  <h1><%= title %></h1>
  <table>
  <%- records.each do |r| -%>
    <tr id="r<%= r[:id] %>"><td><%= ERB::Util.html_escape(r[:name]) %></td>
      <td><%= r[:tags].map { |t| "<span>#{t}</span>" }.join(" ") %></td>
      <td><%= ERB::Util.html_escape(r[:bio]) %></td><td><%= "%.2f" % r[:score] %></td></tr>
  <%- end -%>
  </table></body></html>
HTML

def record(rng, i)
  size = rng.rand(100) < 90 ? rng.rand(200) : 200 + rng.rand(8000)
  { id: i, name: "user-#{rng.rand(1_000_000)}", tags: Array.new(rng.rand(6)) { "t" * (1 + rng.rand(30)) },
    bio: "lorem ipsum " * (size / 12), score: rng.rand * 100 }
end

def cache_bound
  t = Process.clock_gettime(Process::CLOCK_MONOTONIC) - T0
  (CACHE_MAX * (0.55 + 0.45 * Math.sin(2 * Math::PI * t / CYCLE_S))).to_i
end

run(lambda do |_env|
  rng = Random.new
  records = Array.new(10 + rng.rand(120)) { |i| record(rng, i) }
  if rng.rand(2).zero?
    body = PAGE.result_with_hash(title: "Page #{rng.rand(1000)}", records: records)
    type = "text/html"
  else
    body = JSON.generate(records)
    JSON.parse(body).each { |r| r["name"].upcase! }
    type = "application/json"
  end
  fragment = body[0, 1024 + rng.rand(64 * 1024)]
  LOCK.synchronize do
    CACHE[rng.rand(1 << 30)] = fragment
    bound = cache_bound
    CACHE.shift while CACHE.size > bound
  end
  [200, { "content-type" => type }, [body[0, 8192]]]
end)
