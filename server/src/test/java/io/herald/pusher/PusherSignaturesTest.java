package io.herald.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PusherSignaturesTest {
    /** The example app of Pusher's "authorizing channels" documentation. */
    private static final String KEY = "278d425bdf160c739803";
    private static final String SECRET = "7ad3773142a6692b25b8";

    @Test
    void aPrivateChannelSignatureIsTheOneOfPushersDocumentation() {
        assertThat(PusherSignatures.channelAuth(KEY, SECRET, "1234.1234", "private-foobar", null))
                .isEqualTo(KEY + ":58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
    }

    @Test
    void aPresenceChannelSignatureCoversTheChannelData() {
        String data = "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Channels\"}}";
        assertThat(PusherSignatures.channelAuth(KEY, SECRET, "1234.1234", "presence-foobar", data))
                .isEqualTo(KEY + ":31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80");
    }

    @Test
    void verifyAcceptsTheRightSignatureInAnyCaseAndNothingElse() {
        String subject = PusherSignatures.channelAuthSubject("1.2", "private-x", null);
        String good = PusherSignatures.channelAuth(KEY, SECRET, "1.2", "private-x", null);
        assertThat(PusherSignatures.verify(KEY, SECRET, subject, good)).isTrue();
        assertThat(PusherSignatures.verify(KEY, SECRET, subject, good.toUpperCase().replace(KEY.toUpperCase(), KEY))).isTrue();
        assertThat(PusherSignatures.verify(KEY, SECRET, subject, "other:" + good.substring(KEY.length() + 1))).isFalse();
        assertThat(PusherSignatures.verify(KEY, SECRET, PusherSignatures.channelAuthSubject("1.3", "private-x", null), good))
                .isFalse();
        assertThat(PusherSignatures.verify(KEY, SECRET, subject, good.substring(0, good.length() - 1))).isFalse();
        assertThat(PusherSignatures.verify(KEY, SECRET, subject, KEY)).isFalse();
        assertThat(PusherSignatures.verify(KEY, SECRET, subject, null)).isFalse();
        assertThat(PusherSignatures.verify(KEY, "another-secret", subject, good)).isFalse();
    }

    @Test
    void aUserSignatureCoversSocketIdAndUserDataWithTheUserMarker() {
        String data = "{\"id\":\"42\"}";
        String auth = PusherSignatures.userAuth(KEY, SECRET, "1.2", data);
        assertThat(PusherSignatures.userAuthSubject("1.2", data)).isEqualTo("1.2::user::" + data);
        assertThat(auth).isEqualTo(KEY + ":" + PusherSignatures.hex(SECRET, "1.2::user::" + data));
        assertThat(PusherSignatures.verify(KEY, SECRET, PusherSignatures.userAuthSubject("1.2", data), auth)).isTrue();
        assertThat(auth).isNotEqualTo(PusherSignatures.channelAuth(KEY, SECRET, "1.2", "user", data));
    }
}
