package io.caduceus.hl7.mapping;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code when:} clause: all of its tests (present, absent, in, notIn, differsFrom) must hold. A test may name a
 * {@code transform}: it then applies to the transformed text, and a value the transform cannot convert counts as absent
 * (so a rule can say "only when this is a language code" or "only when it is not"). {@code differsFrom: PATH} holds when
 * the value is present and is not the value at PATH, all its parts compared (ORC-14 beside a different OBR-17: both
 * numbers are kept, an equal one once).
 */
final class Condition {
    private record Test(V2Path path, Transform transform, Boolean present, Set<String> in, Set<String> notIn,
            V2Path differsFrom) {
    }

    private final List<Test> tests;

    private Condition(List<Test> tests) {
        this.tests = tests;
    }

    @SuppressWarnings("unchecked")
    static Condition compile(Object yaml, String where) {
        if (yaml == null) {
            return null;
        }
        List<Object> clauses = yaml instanceof List ? (List<Object>) yaml : List.of(yaml);
        List<Test> tests = new ArrayList<>();
        for (Object o : clauses) {
            if (!(o instanceof Map)) {
                throw new IllegalStateException(where + ": 'when' entries must be maps");
            }
            Map<String, Object> m = (Map<String, Object>) o;
            V2Path path = V2Path.compile(Yamls.required(m, "path", where), where);
            Object present = m.get("present");
            Set<String> in = m.containsKey("in") ? new HashSet<>(Yamls.strings(m, "in")) : null;
            Set<String> notIn = m.containsKey("notIn") ? new HashSet<>(Yamls.strings(m, "notIn")) : null;
            String differs = Yamls.string(m, "differsFrom");
            V2Path differsFrom = differs == null ? null : V2Path.compile(differs, where);
            if (present == null && in == null && notIn == null && differsFrom == null) {
                throw new IllegalStateException(where + ": 'when' needs present, in, notIn or differsFrom");
            }
            String transform = Yamls.string(m, "transform");
            tests.add(new Test(path, transform == null ? null : Transform.named(transform, where), present == null ? null : Boolean.valueOf(String.valueOf(present)), in, notIn,
                    differsFrom));
        }
        return new Condition(tests);
    }

    /** Whether a test holds the value at {@code path} to a list of codes ({@code in}), so its value is one of them. */
    boolean restrictsByIn(V2Path path) {
        for (Test t : tests) {
            if (t.in() != null && t.transform() == null && t.path().text.equals(path.text)) {
                return true;
            }
        }
        return false;
    }

    boolean test(Scope scope) {
        for (Test t : tests) {
            V2Node node = t.path().first(scope);
            String text = node == null ? null : node.text();
            if (text != null && t.transform() != null) {
                text = t.transform().readsComposite() ? t.transform().apply(node, null) : t.transform().apply(node, text);
            }
            if (t.present() != null && t.present() != (t.transform() == null ? node != null : text != null)) {
                return false;
            }
            if (t.in() != null && (text == null || !t.in().contains(text))) {
                return false;
            }
            if (t.notIn() != null && text != null && t.notIn().contains(text)) {
                return false;
            }
            if (t.differsFrom() != null) {
                V2Node other = t.differsFrom().first(scope);
                if (node == null || other != null && other.identityText().equals(node.identityText())) {
                    return false;
                }
            }
        }
        return true;
    }
}
