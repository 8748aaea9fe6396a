package cn.onecard.crypto;

/** An SM2 private key and its public key. */
public record Sm2KeyPair(Sm2PrivateKey privateKey, Sm2PublicKey publicKey) {
}
