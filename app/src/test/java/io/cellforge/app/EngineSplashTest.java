package io.cellforge.app;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EngineSplashTest {
    @Test
    void theSplashSaysHowFarTheUnpackingIsInMegabytes() {
        assertEquals("Unpacking the engine (first start): 120 of 380 MB", EngineSplash.text(120L << 20, (380L << 20) + 5));
        assertEquals("Unpacking the engine (first start): 0 of 495 MB", EngineSplash.text(0, 495L << 20));
    }
}
