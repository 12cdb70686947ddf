"""Process-wide setup for every test directory."""

import signal

# A suite started in the background by a non-interactive shell (a CI launcher, `cmd &`) inherits SIGINT
# ignored, and so would every CLI it spawns: the tests that press Ctrl-C on one would wait forever. Restore
# the terminal's behaviour; children then start with SIGINT at its default (exec resets handlers).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
