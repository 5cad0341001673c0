package io.caduceus.hl7.mapping;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Factory;
import org.hl7.fhir.r4.model.ResourceFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Loads and compiles mapping files. A file in the external folder replaces the classpath file with the same
 * relative path; message maps found only in the external folder are added.
 */
final class Definitions {
    static final String CLASSPATH_ROOT = "hl7/";
    static final String MANIFEST = "mappings.yml";

    private final ClassLoader classLoader;
    private final Path external;
    private final Map<String, ValueSetMap> valueSets = new HashMap<>();
    private final Map<String, List<Rule>> datatypes = new HashMap<>();
    private final Map<String, String> datatypeTargets = new HashMap<>();
    private final Map<String, Template> templates = new HashMap<>();

    Definitions(ClassLoader classLoader, Path external) {
        this.classLoader = classLoader;
        this.external = external;
    }

    Map<String, Object> load(String relative) {
        Map<String, Object> yaml = tryLoad(relative);
        if (yaml == null) {
            throw new IllegalStateException("mapping file " + relative + " not found");
        }
        return yaml;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> tryLoad(String relative) {
        try (InputStream in = open(relative)) {
            if (in == null) {
                return null;
            }
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            if (!(doc instanceof Map)) {
                throw new IllegalStateException("mapping file " + relative + " is not a YAML map");
            }
            return (Map<String, Object>) doc;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read mapping file " + relative, e);
        }
    }

    private InputStream open(String relative) throws IOException {
        if (external != null) {
            Path p = external.resolve(relative);
            if (Files.isRegularFile(p)) {
                return Files.newInputStream(p);
            }
        }
        return classLoader.getResourceAsStream(CLASSPATH_ROOT + relative);
    }

    /** Names of all message maps: those the manifest lists plus any in the external messages folder. */
    List<String> messageNames() {
        TreeSet<String> names = new TreeSet<>(Yamls.strings(load(MANIFEST), "messages"));
        if (external != null && Files.isDirectory(external.resolve("messages"))) {
            try (Stream<Path> files = Files.list(external.resolve("messages"))) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml"))
                        .forEach(n -> names.add(n.substring(0, n.length() - 4)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list external message maps", e);
            }
        }
        return new ArrayList<>(names);
    }

    /** The manifest's version, marked with a digest of the external files when there are any. */
    String mappingVersion() {
        String base = Yamls.required(load(MANIFEST), "version", MANIFEST);
        if (external == null || !Files.isDirectory(external)) {
            return base;
        }
        try (Stream<Path> files = Files.walk(external)) {
            List<Path> sorted = files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".yml"))
                    .sorted().toList();
            if (sorted.isEmpty()) {
                return base;
            }
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path p : sorted) {
                digest.update(external.relativize(p).toString().replace('\\', '/').getBytes(
                        java.nio.charset.StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(Files.readAllBytes(p));
                digest.update((byte) 0);
            }
            return base + "+local." + HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read external mappings", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Segment kinds that open a group, ending the group of any segment before them. */
    Set<String> groupStarts() {
        return Set.copyOf(Yamls.strings(load(MANIFEST), "groupStarts"));
    }

    /**
     * Pairs of fields that say the same fact ({@code OBR.16=ORC.12}): a value at one equal to the value carried from
     * the other is reported as repeated, not as left out.
     */
    List<String> sameFacts() {
        return Yamls.strings(load(MANIFEST), "sameFacts");
    }

    ValueSetMap valueSet(String name) {
        ValueSetMap v = valueSets.get(name);
        if (v == null) {
            String file = "valuesets/" + name + ".yml";
            v = ValueSetMap.compile(load(file), file);
            valueSets.put(name, v);
        }
        return v;
    }

    List<Rule> datatype(String name, String targetType, String usedAt) {
        String file = "datatypes/" + name + ".yml";
        List<Rule> rules = datatypes.get(name);
        if (rules == null) {
            Map<String, Object> yaml = load(file);
            String target = Yamls.required(yaml, "target", file);
            Base prototype = new Factory().create(target);
            rules = RuleCompiler.compileAll(Yamls.maps(yaml, "elements", file), prototype, file, this);
            datatypes.put(name, rules);
            datatypeTargets.put(name, target);
        }
        if (!datatypeTargets.get(name).equals(targetType)) {
            throw new IllegalStateException(usedAt + ": datatype " + name + " maps to "
                    + datatypeTargets.get(name) + ", not " + targetType);
        }
        return rules;
    }

    Template template(String name) {
        Template t = templates.get(name);
        if (t == null) {
            String file = "resources/" + name + ".yml";
            Map<String, Object> yaml = load(file);
            String resourceType = Yamls.required(yaml, "resourceType", file);
            List<V2Path> identity = new ArrayList<>();
            for (String p : Yamls.strings(yaml, "id")) {
                identity.add(V2Path.compile(p, file));
            }
            List<Rule> rules = RuleCompiler.compileAll(Yamls.maps(yaml, "elements", file), prototype(resourceType, file),
                    file, this);
            t = new Template(resourceType, identity, rules);
            templates.put(name, t);
        }
        return t;
    }

    static Base prototype(String resourceType, String where) {
        try {
            return ResourceFactory.createResource(resourceType);
        } catch (RuntimeException e) {
            throw new IllegalStateException(where + ": unknown resource type " + resourceType, e);
        }
    }

    MessageMap message(String name) {
        String file = "messages/" + name + ".yml";
        Map<String, Object> yaml = load(file);
        List<MessageMap.Entry> entries = new ArrayList<>();
        List<Map<String, Object>> resources = Yamls.maps(yaml, "resources", file);
        for (int i = 0; i < resources.size(); i++) {
            Map<String, Object> r = resources.get(i);
            String where = file + " resources[" + i + "]";
            String key = Yamls.required(r, "key", where);
            Template template = template(Yamls.required(r, "template", where));
            String segment = Yamls.required(r, "segment", where);
            boolean repeat = !"false".equals(String.valueOf(r.get("repeat")));
            Condition when = Condition.compile(r.get("when"), where);
            List<Rule> extra = RuleCompiler.compileAll(Yamls.maps(r, "elements", where),
                    prototype(template.resourceType(), where), where, this);
            entries.add(new MessageMap.Entry(key, template, segment, repeat, when, extra));
        }
        return new MessageMap(name, Yamls.string(yaml, "description"), entries);
    }
}
