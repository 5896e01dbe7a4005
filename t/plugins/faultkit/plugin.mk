# faultkit: a slow durable job for t/fault-*.t (a carbotd killed while it
# holds a job). Not for production.
