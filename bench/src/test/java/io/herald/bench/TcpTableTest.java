package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TcpTableTest {
    private static final String HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

    @Test
    void theServersSideOfEachClientConnectionIsFoundByPortInBothAddressFamilies() {
        // server port 0x1F90 = 8080; clients 0xC350 = 50000 (IPv4, established), 0xC351 = 50001 (IPv6-mapped, FIN_WAIT1)
        List<String> lines = List.of(HEADER,
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0 0 1 1",
                "   1: 0100007F:1F90 0200007F:C350 01 00000000:00000000 00:00000000 00000000  0 0 2 1",
                "   2: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000200007F:C351 04 0000FFFF:00000000 00:0 0 0 0 3 1",
                "   3: 0200007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  0 0 4 1");
        Map<Integer, TcpTable.Entry> states = TcpTable.parse(lines, 8080);
        assertThat(states).containsEntry(50000, new TcpTable.Entry(TcpTable.ESTABLISHED, 0))
                .containsEntry(50001, new TcpTable.Entry(0x04, 0xFFFF));
        assertThat(states).containsKey(0).hasSize(3); // the listener; the client's own side is not the server's
    }

    @Test
    void aLiveConnectionWinsOverAnOldTimeWaitEntryOfTheSameClientPort() {
        List<String> lines = List.of(HEADER,
                "   0: 0100007F:1F90 0200007F:C350 06 00000000:00000000 00:00000000 00000000  0 0 0 1",
                "   1: 0100007F:1F90 0200007F:C350 01 00000000:00000000 00:00000000 00000000  0 0 5 1");
        assertThat(TcpTable.parse(lines, 8080).get(50000).state()).isEqualTo(TcpTable.ESTABLISHED);
    }
}
