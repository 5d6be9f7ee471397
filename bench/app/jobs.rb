# The Sidekiq-like workload for bench/bench.py: THREADS worker threads take
# jobs from a Queue, as Sidekiq's processors take them from Redis. A job's
# payload is a JSON string (arguments of mixed sizes); working it parses the
# payload, builds a result of short-lived objects and strings, and leaves a
# long-lived trace: every job adds to its thread's open batch (kept until 50
# jobs have gone by, then dropped whole) and some jobs store a result in a
# shared store whose bound grows and shrinks over a cycle of BENCH_CYCLE_S
# seconds (20 by default). So short-lived garbage is churned between
# long-lived objects on every thread at once.
#
# Usage: ruby jobs.rb THREADS LOAD_SECONDS IDLE_SECONDS
# Prints one JSON line when the load ends: jobs, jobs_per_s, p50_ms, p99_ms
# (a job's run time, taken from the queue to done), then stays idle
# IDLE_SECONDS with the store kept.
require "json"

threads, load_s, idle_s = ARGV.map(&:to_f)
abort "usage: ruby jobs.rb THREADS LOAD_SECONDS IDLE_SECONDS" unless threads.to_i.positive? && load_s.positive?
STORE_MAX = 8000
CYCLE_S = ENV.fetch("BENCH_CYCLE_S", "20").to_f
queue = SizedQueue.new(200)
store = {}
store_lock = Mutex.new
latencies = []
lat_lock = Mutex.new
now = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
t0 = now.call

def payload(rng)
  args = Array.new(1 + rng.rand(12)) do
    case rng.rand(10)
    when 0..6 then "arg-#{rng.rand(1 << 20)}" * (1 + rng.rand(8))
    when 7, 8 then { "id" => rng.rand(1 << 30), "email" => "u#{rng.rand(99_999)}@example.com", "notes" => "n" * rng.rand(600) }
    else "b" * (1024 + rng.rand(16 * 1024))
    end
  end
  JSON.generate("class" => "HardJob", "jid" => rng.rand(1 << 62).to_s(16), "args" => args)
end

def work(job)
  lines = job["args"].map { |a| a.is_a?(Hash) ? a.map { |k, v| "#{k}=#{v}" }.join("&") : a.to_s.reverse }
  words = lines.join(" ").split(/[-=&@ ]/).reject(&:empty?)
  counts = Hash.new(0)
  words.each { |w| counts[w[0, 3]] += 1 }
  { "jid" => job["jid"], "summary" => counts.sort_by { |_, c| -c }.first(20).to_h, "digest" => lines.join("|")[0, 256 + rand(4096)] }
end

producer = Thread.new do
  rng = Random.new(1)
  queue.push([payload(rng)]) while now.call - t0 < load_s
  threads.to_i.times { queue.push(nil) }
end
workers = Array.new(threads.to_i) do |n|
  Thread.new do
    rng = Random.new(n + 2)
    batch = []
    while (item = queue.pop)
      started = now.call
      result = work(JSON.parse(item[0]))
      batch << result
      batch = [] if batch.size >= 50
      if rng.rand(4).zero?
        bound = (STORE_MAX * (0.55 + 0.45 * Math.sin(2 * Math::PI * (now.call - t0) / CYCLE_S))).to_i
        store_lock.synchronize do
          store[result["jid"]] = result
          store.shift while store.size > bound
        end
      end
      ms = (now.call - started) * 1000
      lat_lock.synchronize { latencies << ms }
    end
  end
end
producer.join
workers.each(&:join)
elapsed = now.call - t0
latencies.sort!
pick = ->(q) { latencies[[(latencies.size * q).ceil - 1, 0].max].round(2) }
puts JSON.generate("jobs" => latencies.size, "jobs_per_s" => (latencies.size / elapsed).round(1),
                   "p50_ms" => pick.call(0.5), "p99_ms" => pick.call(0.99), "store" => store.size)
$stdout.flush
latencies = nil
sleep idle_s
