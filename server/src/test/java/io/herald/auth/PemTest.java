package io.herald.auth;

import static io.herald.auth.TestKeys.EC;
import static io.herald.auth.TestKeys.EC_PEM;
import static io.herald.auth.TestKeys.RSA;
import static io.herald.auth.TestKeys.RSA_PEM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {

    @Test
    void rsaAndEcPublicKeysAreReadFromPemText() {
        assertThat(Pem.rsaPublicKey(RSA_PEM)).isEqualTo(RSA.getPublic());
        assertThat(Pem.ecPublicKey("  \n" + EC_PEM + "\n")).isEqualTo(EC.getPublic());
    }

    @Test
    void valueWithoutAPemBlockIsReadAsAFilePath(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("ec.pem"), "comment line\n" + EC_PEM);

        assertThat(Pem.ecPublicKey(file.toString())).isEqualTo(EC.getPublic());
    }

    @Test
    void privateKeysInPkcs8AreReadForRsaAndEc() {
        assertThat(Pem.privateKey(Pem.encode("PRIVATE KEY", RSA.getPrivate().getEncoded())))
                .isEqualTo(RSA.getPrivate());
        assertThat(Pem.privateKey(Pem.encode("PRIVATE KEY", EC.getPrivate().getEncoded())))
                .isEqualTo(EC.getPrivate());
    }

    @Test
    void pkcs1BlockIsRefusedWithTheCommandThatConvertsIt() {
        String pkcs1 = RSA_PEM.replace("PUBLIC KEY", "RSA PUBLIC KEY");

        assertThatThrownBy(() -> Pem.rsaPublicKey(pkcs1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PEM block is RSA PUBLIC KEY, expected PUBLIC KEY "
                        + "(convert with: openssl rsa -RSAPublicKey_in -in key.pem -pubout)");
    }

    @Test
    void keyOfTheOtherTypeIsRefused() {
        assertThatThrownBy(() -> Pem.rsaPublicKey(EC_PEM)).hasMessage("PEM block is not an RSA public key");
        assertThatThrownBy(() -> Pem.ecPublicKey(RSA_PEM)).hasMessage("PEM block is not an EC public key");
    }

    @Test
    void missingFileIsReportedAsNeitherPemNorFile() {
        assertThatThrownBy(() -> Pem.rsaPublicKey("/does/not/exist.pem"))
                .hasMessage("value is neither a PEM key nor a readable PEM file: /does/not/exist.pem");
    }
}
