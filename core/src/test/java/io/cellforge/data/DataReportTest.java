package io.cellforge.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run folder's data.json names its data so that a later command, from any folder, knows whether it reads the same. */
class DataReportTest {
    @TempDir
    Path tmp;

    private Path report(String data) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve(DataReport.FILE), "{\"data\": \"" + data + "\", \"normalisation\": {\"mean\": [0.25], \"std\": [0.5]}}");
        return run;
    }

    @Test
    void aFolderIsRecordedAbsoluteAndABundledSetByName() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("fashion"));
        Path relative = Path.of("").toAbsolutePath().relativize(folder);
        assertEquals(folder.toString(), DataReport.absolute(relative.toString()));
        assertEquals("digits", DataReport.absolute("digits"));
    }

    @Test
    void theNormalisationIsTakenForTheSameFolderHoweverNamedAndForTheSameBundledSet() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("fashion"));
        Path run = report(folder.toString());
        String relative = Path.of("").toAbsolutePath().relativize(folder).toString();
        assertEquals(0.25f, DataReport.recordedNormalisation(run, relative, 1).orElseThrow()[0][0]);
        assertTrue(DataReport.recordedNormalisation(run, Files.createDirectories(tmp.resolve("other")).toString(), 1).isEmpty(),
                "another folder");
        assertTrue(DataReport.recordedNormalisation(run, folder.toString(), 3).isEmpty(), "other channels");
        run = report("digits");
        assertEquals(0.5f, DataReport.recordedNormalisation(run, "digits", 1).orElseThrow()[1][0]);
        assertTrue(DataReport.recordedNormalisation(run, folder.toString(), 1).isEmpty(), "a folder is not the bundled digits");
    }

    @Test
    void theSampleARunStartedOnIsReadBackAndAllWhereNoneWasDrawn() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("sampled"));
        assertEquals(new DataReport.Sample(null, null), DataReport.recordedSample(run), "no data.json: all the images");
        Files.writeString(run.resolve(DataReport.FILE), "{\"sample\": {\"train\": 100, \"train_of\": 256, \"test\": 32, \"test_of\": 32}}");
        assertEquals(new DataReport.Sample(100, null), DataReport.recordedSample(run));
        Files.writeString(run.resolve(DataReport.FILE), "{\"sample\": ");
        assertEquals(new DataReport.Sample(null, null), DataReport.recordedSample(run), "unreadable: all the images");
    }
}
