package io.herald.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.PusherAppConfig;
import io.herald.config.PusherConfig;
import io.herald.protocol.ChannelName;
import java.util.List;
import org.junit.jupiter.api.Test;

class PusherAppTest {
    private static final String SECRET = "pusher-secret-0123456789";
    private final PusherApps apps = PusherApps.of(new PusherConfig(List.of(
            PusherAppConfig.of("1", "key-native", SECRET, true),
            PusherAppConfig.of("7", "key-seven", SECRET, false))));
    private final PusherApp nativeApp = apps.byKey("key-native").orElseThrow();
    private final PusherApp seven = apps.byId("7").orElseThrow();

    @Test
    void theRegistryFindsAppsByKeyAndByIdAndKnowsTheNativeOne() {
        assertThat(apps.byId("1")).contains(nativeApp);
        assertThat(apps.byKey("key-seven")).contains(seven);
        assertThat(apps.byKey("nope")).isEmpty();
        assertThat(apps.byKey(null)).isEmpty();
        assertThat(apps.byId("key-seven")).isEmpty();
        assertThat(apps.nativeApp()).contains(nativeApp);
        assertThat(apps.all()).containsExactly(nativeApp, seven);
    }

    @Test
    void nativeChannelsHaveTheSameNamesAndSemicolonIsTheNamespaceSeparator() {
        assertThat(nativeApp.channel("private-chat").hub()).isEqualTo(ChannelName.of("private-chat"));
        assertThat(nativeApp.channel("match;42").hub()).isEqualTo(ChannelName.of("match:42"));
        assertThat(nativeApp.channel("foo-bar_1234@=,.;").hub()).isEqualTo(ChannelName.of("foo-bar_1234@=,.:"));
        assertThat(nativeApp.pusherName(ChannelName.of("match:42"))).isEqualTo("match;42");
        assertThat(nativeApp.pusherName(ChannelName.of("private-chat"))).isEqualTo("private-chat");
    }

    @Test
    void otherAppsLiveInTheirOwnNamespace() {
        assertThat(seven.channel("presence-room").hub()).isEqualTo(ChannelName.of("pusher-7:presence-room"));
        assertThat(seven.channel("a;b").hub()).isEqualTo(ChannelName.of("pusher-7:a:b"));
        assertThat(seven.pusherName(ChannelName.of("pusher-7:a:b"))).isEqualTo("a;b");
        assertThat(seven.pusherName(ChannelName.of("presence-room"))).isNull();
        assertThat(nativeApp.pusherName(ChannelName.of("pusher-7:presence-room"))).isNull();
        assertThatThrownBy(() -> nativeApp.channel("pusher-7;presence-room"))
                .isInstanceOf(PusherChannelException.class).hasMessageContaining("another app");
    }

    @Test
    void theKindAndTheCacheMarkComeFromThePrefix() {
        assertThat(nativeApp.channel("chat")).extracting(PusherChannel::type, PusherChannel::cache)
                .containsExactly(PusherChannelType.PUBLIC, false);
        assertThat(nativeApp.channel("cache-chat")).extracting(PusherChannel::type, PusherChannel::cache)
                .containsExactly(PusherChannelType.PUBLIC, true);
        assertThat(nativeApp.channel("private-cache-x")).extracting(PusherChannel::type, PusherChannel::cache)
                .containsExactly(PusherChannelType.PRIVATE, true);
        assertThat(nativeApp.channel("private-encrypted-x")).extracting(PusherChannel::type, PusherChannel::cache)
                .containsExactly(PusherChannelType.PRIVATE_ENCRYPTED, false);
        assertThat(nativeApp.channel("private-encrypted-cache-x").cache()).isTrue();
        assertThat(nativeApp.channel("presence-cache-x")).extracting(PusherChannel::type, PusherChannel::cache)
                .containsExactly(PusherChannelType.PRESENCE, true);
        assertThat(nativeApp.channel("private-cachex").cache()).isFalse();
    }

    @Test
    void aUserChannelIsHeraldsUserLimitedChannelOfThatUser() {
        PusherChannel user = nativeApp.channel("#server-to-user-42");
        assertThat(user.type()).isEqualTo(PusherChannelType.USER);
        assertThat(user.userId()).isEqualTo("42");
        assertThat(user.hub()).isEqualTo(ChannelName.of("server-to-user#42"));
        assertThat(user.hub().allowedUsers()).containsExactly("42");
        assertThat(seven.userChannel("u@x.io").hub()).isEqualTo(ChannelName.of("pusher-7:server-to-user#u@x.io"));
        assertThat(nativeApp.pusherName(ChannelName.of("server-to-user#42"))).isEqualTo("#server-to-user-42");
        assertThat(nativeApp.pusherName(ChannelName.of("server-to-user#42,57"))).isNull();
        assertThat(nativeApp.pusherName(ChannelName.of("orders#42"))).isNull();
    }

    @Test
    void namesThatCannotMapAreRefusedWithAClearReason() {
        assertThatThrownBy(() -> nativeApp.channel("")).hasMessage("channel name is empty");
        assertThatThrownBy(() -> nativeApp.channel("a:b"))
                .isInstanceOf(PusherChannelException.class)
                .hasMessage("channel name may only contain A-Z a-z 0-9 and _ - = @ , . ;");
        assertThatThrownBy(() -> nativeApp.channel("orders#42")).isInstanceOf(PusherChannelException.class);
        assertThatThrownBy(() -> nativeApp.channel("x".repeat(165)))
                .hasMessage("channel name is longer than 164 characters");
        assertThat(nativeApp.channel("x".repeat(164)).hub().value()).hasSize(164);
        assertThatThrownBy(() -> nativeApp.channel("#server-to-user-a,b"))
                .isInstanceOf(PusherChannelException.class).hasMessageStartingWith("user channel needs a user id");
        assertThatThrownBy(() -> nativeApp.channel("#server-to-user-")).isInstanceOf(PusherChannelException.class);
        assertThatThrownBy(() -> nativeApp.channel("#server-to-user-a:b")).isInstanceOf(PusherChannelException.class);
        assertThatThrownBy(() -> nativeApp.channel("#other")).isInstanceOf(PusherChannelException.class);
    }
}
