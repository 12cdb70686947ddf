pragma circom 2.1.0;

include "possession.circom";

// S = 4 challenged records, records of up to K = 16 field elements per hash, depth D = 20.
component main {public [commitment, leafCount, indices, binding]} = Possession(4, 20, 16);
