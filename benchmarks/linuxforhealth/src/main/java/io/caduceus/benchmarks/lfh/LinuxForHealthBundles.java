package io.caduceus.benchmarks.lfh;

import io.github.linuxforhealth.hl7.ConverterOptions;
import io.github.linuxforhealth.hl7.HL7ToFHIRConverter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Writes LinuxForHealth's bundle for every fixture ({@code NAME.hl7} to {@code OUT/NAME.json}), for
 * {@code ConverterCoverage} in the benchmarks module to count the populated values each converter carries. A fixture
 * the converter does not convert gets no file. Run from the repository root:
 * {@code java -cp benchmarks/linuxforhealth/target/benchmarks-linuxforhealth.jar
 * io.caduceus.benchmarks.lfh.LinuxForHealthBundles [FIXTURES] OUT}.
 */
public final class LinuxForHealthBundles {

    private LinuxForHealthBundles() {
    }

    public static void main(String[] args) throws IOException {
        Path fixtures = Path.of(args.length > 1 ? args[0] : "hl7-mappings/src/test/resources/fixtures");
        Path out = Files.createDirectories(Path.of(args[args.length - 1]));
        HL7ToFHIRConverter converter = new HL7ToFHIRConverter();
        try (Stream<Path> files = Files.list(fixtures)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".hl7")).sorted().toList()) {
                String name = file.getFileName().toString().replace(".hl7", "");
                // The converter expects CR segment separators, as HL7 defines them.
                String hl7 = Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\r").replace('\n', '\r');
                String bundle;
                try {
                    bundle = converter.convert(hl7, ConverterOptions.SIMPLE_OPTIONS);
                } catch (RuntimeException e) {
                    bundle = null;
                }
                if (bundle == null || !bundle.contains("\"Bundle\"")) {
                    System.out.println(name + ": not converted");
                    continue;
                }
                Files.writeString(out.resolve(name + ".json"), bundle, StandardCharsets.UTF_8);
                System.out.println(name + ": written");
            }
        }
    }
}
