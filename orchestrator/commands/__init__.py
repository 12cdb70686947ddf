"""CLI command groups, one module per group; each is thin: parse, call the library, print."""
