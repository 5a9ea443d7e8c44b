package io.cellforge;

/** Text files of the test resources, shared by the tests of several packages. */
public final class TestResources {
    private TestResources() {
    }

    public static String text(String name) {
        try (var in = TestResources.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
