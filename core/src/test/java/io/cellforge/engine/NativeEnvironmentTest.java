package io.cellforge.engine;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeEnvironmentTest {

    @Test
    void theWaitPolicyIsPassiveInTheCEnvironmentUnlessTheUserChoseOne() {
        String user = System.getenv("OMP_WAIT_POLICY");
        assertEquals(user == null ? "PASSIVE" : user, NativeEnvironment.prepare().get("OMP_WAIT_POLICY"));
    }

    /** In a fresh JVM, as the CLI and the app start: libgomp must see the setting when it loads. */
    @Test
    void openMpStartsWithPassiveWaitsWithoutTheUserSettingAnything() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Probe.class.getName());
        pb.environment().remove("OMP_WAIT_POLICY");
        pb.environment().remove("GOMP_SPINCOUNT");
        pb.environment().put("OMP_DISPLAY_ENV", "VERBOSE"); // libgomp prints the settings it read when it loads
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("OMP_WAIT_POLICY = 'PASSIVE'"), out);
        assertTrue(out.contains("GOMP_SPINCOUNT = '0'"), "no spinning: " + out);
        assertTrue(out.contains("passive waits"), "the backend line says so: " + out);
    }

    /** Starts the engine as the commands do and prints its backend line. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println(Backend.init());
        }
    }
}
