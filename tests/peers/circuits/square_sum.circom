pragma circom 2.0.0;

// A small test circuit for the peer tests: out = a*b + c^2, with c public and a range-checked 8-bit a.
template SquareSum() {
    signal input a;
    signal input b;
    signal input c;
    signal output out;
    signal ab;
    signal cc;
    signal bits[8];
    var acc = 0;
    for (var i = 0; i < 8; i++) {
        bits[i] <-- (a >> i) & 1;
        bits[i] * (bits[i] - 1) === 0;
        acc += bits[i] * (1 << i);
    }
    acc === a;
    ab <== a * b;
    cc <== c * c;
    out <== ab + cc;
}

component main {public [c]} = SquareSum();
