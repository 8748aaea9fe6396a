package cn.onecard.gateway.testing;

import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * One gateway per test JVM context: a temporary data directory (its embedded PostgreSQL), test keys
 * for one treasury client and the gateway, and two banks' BINs.
 */
public final class GatewayTestSupport {

    public static final String CLIENT_ID = "test-treasury";
    public static final String LYB_BIN = "623595";
    public static final String ABC_BIN = "622848";
    public static final String UNROUTED_BIN = "999999";

    public static final Path DATA_DIR;
    public static final Sm2KeyPair TREASURY_KEYS = Sm2.generateKeyPair();
    public static final Sm2KeyPair GATEWAY_KEYS = Sm2.generateKeyPair();

    static {
        try {
            DATA_DIR = Files.createTempDirectory("onecard-gateway-test");
            Files.writeString(DATA_DIR.resolve("test-treasury-public.pem"), TREASURY_KEYS.publicKey().toPem());
            Files.writeString(DATA_DIR.resolve("test-gateway-private.pem"), GATEWAY_KEYS.privateKey().toPem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private GatewayTestSupport() {
    }

    /** One item of a batch as the treasury's API writes it: a plain holder, no proxy, no phone. */
    public static Map<String, Object> apiItem(String itemId, String idNumber, String cardNumber, long amountFen) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("itemId", itemId);
        item.put("name", "张三");
        item.put("idNumber", idNumber);
        item.put("cardNumber", cardNumber);
        item.put("amountFen", amountFen);
        item.put("householdHead", false);
        item.put("proxyId", null);
        item.put("phone", null);
        return item;
    }

    /** Registers a gateway with its own data directory (each Spring test context runs its own PostgreSQL). */
    public static void register(DynamicPropertyRegistry registry) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory(DATA_DIR, "context");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry.add("onecard.data-dir", dataDir::toString);
        registry.add("onecard.gateway-key", () -> DATA_DIR.resolve("test-gateway-private.pem").toString());
        registry.add("onecard.treasury.clients[0].id", () -> CLIENT_ID);
        registry.add("onecard.treasury.clients[0].public-key", () -> DATA_DIR.resolve("test-treasury-public.pem").toString());
        registry.add("onecard.treasury.clients[0].callback-hosts", () -> "127.0.0.1");
        registry.add("onecard.banks.LYB.bins", () -> LYB_BIN + ",621493");
        registry.add("onecard.banks.ABC.bins", () -> ABC_BIN);
    }
}
