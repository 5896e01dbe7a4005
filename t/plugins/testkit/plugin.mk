# testkit: a plugin for the core's tests; it exercises every SDK area.
