package io.herald.sdk;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Private keys from PEM text: PKCS#8, and PKCS#1 (RSA) or SEC1 (EC, P-256) wrapped into PKCS#8. */
final class PemKeys {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]*)-----END \\1-----");
    /** AlgorithmIdentifier rsaEncryption with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = HexFormat.of().parseHex("300d06092a864886f70d0101010500");
    /** AlgorithmIdentifier id-ecPublicKey with the prime256v1 curve. */
    private static final byte[] P256_ALGORITHM = HexFormat.of().parseHex("301306072a8648ce3d020106082a8648ce3d030107");

    private PemKeys() {
    }

    static PrivateKey privateKey(String pem) {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String label = m.group(1);
            if (!label.endsWith("PRIVATE KEY")) {
                continue; // EC PARAMETERS and the like
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PEM " + label + " is not base64: " + e.getMessage(), e);
            }
            return switch (label) {
                case "PRIVATE KEY" -> pkcs8(der);
                case "RSA PRIVATE KEY" -> generate("RSA", wrap(RSA_ALGORITHM, der));
                case "EC PRIVATE KEY" -> generate("EC", wrap(P256_ALGORITHM, der));
                default -> throw new IllegalArgumentException("unsupported PEM " + label
                        + " (an encrypted key? use an unencrypted PKCS#8 PRIVATE KEY)");
            };
        }
        throw new IllegalArgumentException("no PEM private key found (expected -----BEGIN PRIVATE KEY-----)");
    }

    private static PrivateKey pkcs8(byte[] der) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException notRsa) {
            return generate("EC", der);
        }
    }

    private static PrivateKey generate(String algorithm, byte[] pkcs8) {
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("PEM key is not a readable " + algorithm + " private key: " + e.getMessage(), e);
        }
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, algorithm, OCTET STRING key }. */
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithm);
        body.writeBytes(tlv(0x04, key));
        return tlv(0x30, body.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xff);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write((n >> 8) & 0xff);
            out.write(n & 0xff);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
