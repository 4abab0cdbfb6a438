"""The virtual clock: event-loop time, the `time` module, and the rule for jumping.

An article says "gather takes ~1s, not 2s". To check that in milliseconds, the child
process that runs an article's examples calls `install("virtual")` before any example
code runs. From then on every asyncio loop the examples make runs on virtual time, and
so do `time.monotonic`, `time.perf_counter`, `time.time`, `time.sleep` and every other
wall and monotonic clock. Virtual time stands still while the example's own thread runs
ordinary code, moves on by the CPU time of long stretches of real work, jumps when every
party waits on it alone, and flows at real speed while something real goes on that no
one can see through.

The package, by idea:

* `coordinator`: the jump rule, the cap, and how sleepers and idle loops wait;
* `parties`: who waits on virtual time and who runs real code (threads, jobs, children);
* `virtualtime`: the nanosecond count that stands still, jumps, or flows;
* `cpu`: the stretches of CPU time that move it on;
* `realtime`: the real clock and real waits beneath, injectable for tests;
* `loop`: the recording and virtual event loops, and the idle selector;
* `sockets`: which sockets lead outside a loop, which await a reply, which only listen;
* `accept`: a blocking `accept` on the main thread, as a party that waits;
* `tracking`: the wrappers that report threads, jobs and child processes;
* `timefuncs`: the virtual `time` functions;
* `wallclock`: the calendar functions, `clock_gettime` and `datetime` on the same time;
* `tasks`: the timeline of tasks a block ran;
* `patches`: the one registry of monkeypatches, undone in one call;
* `installer`: `install`, and the `Clock` the child measures with.

This package never imports pytest: the child process imports it. POSIX only.
"""

from mdverify.clock.coordinator import VirtualTimeExceeded
from mdverify.clock.installer import Clock, harness_work, install
from mdverify.clock.parties import is_pool_worker
from mdverify.clock.patches import patch
from mdverify.clock.realtime import RealTime
from mdverify.clock.sockets import expect_replies_from
from mdverify.model import ClockName, TaskSpan

__all__ = [
    "Clock",
    "ClockName",
    "RealTime",
    "TaskSpan",
    "VirtualTimeExceeded",
    "expect_replies_from",
    "harness_work",
    "install",
    "is_pool_worker",
    "patch",
]
