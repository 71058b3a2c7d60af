"""streamcompare.bench: the one measurement loop every driver shares.

    workload.py   Workload (frozen, validated), load_workload, builtin_workload
    runner.py     run_benchmark(driver_name, target, workload, ...) -> RunResult
    results.py    RunResult (versioned JSON, never overwritten), load_result, load_results, windows_frame
    summary.py    summary_table: headline figures per run
    maxrate.py    the sustainable-rate rule and search of `rate: max`
    stats.py      LatencyHistogram: HdrHistogram in microseconds, quantiles, encode/decode, merge
    schedule.py   open-loop RateSchedule; clock.py MonotonicClock and FakeClock
    payload.py    timing header carried by every record
    producer.py, consumer.py, measurement.py, tally.py, driverref.py, metadata.py: the parts
"""
