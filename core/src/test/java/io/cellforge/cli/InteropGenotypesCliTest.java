package io.cellforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The peers' own genotype files (../shared/interop, not part of the project) through the command line. Expected
 * parameter counts are the peers' code run with PyTorch 1.13 (InteropGenotypesTest says how), auxiliary head left
 * out as DARTS utils.count_parameters_in_MB leaves it.
 */
class InteropGenotypesCliTest {
    static final Path DIR = Path.of("../../shared/interop");

    static String file(String name) throws Exception {
        assumeTrue(Files.isDirectory(DIR), "../shared/interop is not beside this clone");
        return Files.readString(DIR.resolve(name));
    }

    static long params(CliTest.Run r) throws Exception {
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out()).get("params").asLong();
    }

    @Test
    void statsOfAnAutoDlAGdasAndAnArchaiFileGiveTheirPeersCounts() throws Exception {
        // AutoDL-Projects DXYs NetworkCIFAR(36, 6, 3, True, SETN, 10): nested pairs and conv_3x1_1x3.
        assertEquals(4_619_206, params(CliTest.run("stats", "--genotype", file("autodl/dxys_SETN.genotype"), "--json")));
        // GDAS NetworkCIFAR(36, 10, 20, True, GDAS_F1): triples and reduce=None, its Transition cell.
        assertEquals(2_543_014, params(CliTest.run("stats", "--genotype", file("autodl/gdas_GDAS_F1.genotype"), "--json")));
        // SNAS model_edge_all.py NetworkCIFAR(36, 10, 20, True, SNAS_mild_edge_all): 2..5 edges a node, BN after pools.
        assertEquals(2_663_542, params(CliTest.run("stats", "--genotype", file("snas/snas_SNAS_mild_edge_all.genotype"), "--json")));
        assertEquals(2_663_542, params(CliTest.run("stats", "--genotype", file("snas/snas_SNAS_mild.genotype"), "--ops", "snas", "--json")));
        // Archai's cells are DARTS_V1's: quark0/darts NetworkCIFAR(36, 10, 20, True, DARTS_V1) has 3,169,414, and
        // Archai's Model (archai/supergraph/nas/model.py) a second stem on the image, conv 3->108 and BN: 2,916 + 216.
        assertEquals(3_169_414 + 3_132, params(CliTest.run("stats", "--genotype", file("archai/darts_genotype.yaml"), "--json")));
    }

    @Test
    void filesThatFitTheDartsSearchSpaceConvertAndTheOthersSayWhyInOneLine(@TempDir Path dir) throws Exception {
        for (String name : new String[] {"autodl/dxys_DARTS_V2.genotype", "autodl/gdas_GDAS_V1.genotype",
            "nni/cdarts_docstring.genotype", "archai/darts_genotype.yaml"}) {
            Path in = dir.resolve(Path.of(name).getFileName());
            Files.writeString(in, file(name));
            Path out = dir.resolve("out.json");
            CliTest.Run r = CliTest.run("convert", in.toString(), out.toString());
            assertEquals(0, r.code(), name + ": " + r.err());
            assertTrue(Files.readString(out).contains("\"normal_n2_p0\""), name);
        }
        Path f1 = dir.resolve("f1.genotype");
        Files.writeString(f1, file("autodl/gdas_GDAS_F1.genotype"));
        CliTest.Run r = CliTest.run("convert", f1.toString(), dir.resolve("f1.json").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().strip().matches("cellforge: .*f1\\.genotype: reduce=None stands for GDAS's fixed reduction cell[^\\n]*"), r.err());
        Path rnn = dir.resolve("rnn.genotype");
        Files.writeString(rnn, file("darts/rnn_DARTS_V2.genotype"));
        r = CliTest.run("stats", "--genotype", file("darts/rnn_DARTS_V2.genotype"));
        assertEquals(1, r.code());
        assertEquals("cellforge: --genotype:1:10: this is the DARTS recurrent-cell genotype (rnn/genotypes.py: recurrent=..., "
                + "concat=...), an RNN cell for language modelling; Cellforge builds convolutional cells only", r.err().strip());
        r = CliTest.run("stats", "--genotype", file("darts/darts_DARTS_V2.genotype"), "--ops", "pt.darts");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--ops must be one of darts, snas"), r.err());
    }
}
