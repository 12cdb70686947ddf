pragma circom 2.1.0;

// Proof of possession of S challenged records of a dataset committed with the datacap Poseidon
// commitment (see orchestrator/merkle.py): leaf_i = Poseidon(i, h_i) in a depth-D binary tree of
// Poseidon(left, right) nodes, commitment = Poseidon(leafCount, root). h_i is the record's chained
// Poseidon hash; the witness is its final 16-element input, so no record is ever published.

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";

// The root reached from `leaf` at `index` through the D `siblings` (bit j of the index: 1 = right).
template MerkleRoot(D) {
    signal input leaf;
    signal input index;
    signal input siblings[D];
    signal output root;

    component bits = Num2Bits(D);  // also keeps the index below 2^D
    bits.in <== index;
    component node[D];
    signal level[D + 1];
    signal left[D];
    signal right[D];
    level[0] <== leaf;
    for (var j = 0; j < D; j++) {
        // bit 0: (level, sibling); bit 1: (sibling, level)
        left[j] <== level[j] + bits.out[j] * (siblings[j] - level[j]);
        right[j] <== siblings[j] + level[j] - left[j];
        node[j] = Poseidon(2);
        node[j].inputs[0] <== left[j];
        node[j].inputs[1] <== right[j];
        level[j + 1] <== node[j].out;
    }
    root <== level[D];
}

template Possession(S, D, K) {
    signal input commitment;
    signal input leafCount;
    signal input indices[S];
    // keccak(chain, contract, challengeId, dataId, owner) mod p, derived on chain: ties the proof to one challenge
    signal input binding;
    signal input records[S][K];  // the final record-hash input of each challenged record
    signal input siblings[S][D];

    component recordHash[S];
    component leaf[S];
    component path[S];
    for (var s = 0; s < S; s++) {
        recordHash[s] = Poseidon(K);
        for (var k = 0; k < K; k++) recordHash[s].inputs[k] <== records[s][k];
        leaf[s] = Poseidon(2);
        leaf[s].inputs[0] <== indices[s];
        leaf[s].inputs[1] <== recordHash[s].out;
        path[s] = MerkleRoot(D);
        path[s].leaf <== leaf[s].out;
        path[s].index <== indices[s];
        for (var j = 0; j < D; j++) path[s].siblings[j] <== siblings[s][j];
        if (s > 0) path[s].root === path[0].root;
    }
    component committed = Poseidon(2);
    committed.inputs[0] <== leafCount;
    committed.inputs[1] <== path[0].root;
    committed.out === commitment;

    // The binding takes part in a constraint, so the proof is bound to it.
    signal bindingSquare <== binding * binding;
}
