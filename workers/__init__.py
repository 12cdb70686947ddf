"""Pure compute for datacap: training, homomorphic encryption, aggregation (no keys, no chain)."""
