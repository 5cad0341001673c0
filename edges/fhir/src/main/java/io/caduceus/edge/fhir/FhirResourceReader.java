package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.ErrorHandlerAdapter;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.IParserErrorHandler;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Resource;

/**
 * Turns request text into a HAPI resource, refusing text that is too deeply nested before any parser recurses into
 * it. Errors name a position (line and column, or an element) and never quote the content.
 */
final class FhirResourceReader {

    private static final Pattern LINE_COLUMN = Pattern.compile("line: (\\d+), column: (\\d+)");
    private static final XMLInputFactory XML = secureXmlFactory();

    private final FhirContext fhir;
    private final int maxDepth;

    FhirResourceReader(FhirContext fhir, int maxDepth) {
        this.fhir = fhir;
        this.maxDepth = maxDepth;
    }

    /** Element problems the tolerant parser saw; the validator reports them too, so they matter only if it did not. */
    static final class ParseIssues extends ErrorHandlerAdapter {
        private final List<FhirRejection.Issue> issues = new ArrayList<>();

        List<FhirRejection.Issue> issues() {
            return issues;
        }

        private void add(IssueType type, String what, IParserErrorHandler.IParseLocation location, String element) {
            String parent = location == null ? null : location.getParentElementName();
            String path = parent == null ? element : element == null ? parent : parent + "." + element;
            issues.add(FhirRejection.Issue.error(type, what, path));
        }

        @Override
        public void unknownElement(IParseLocation location, String elementName) {
            add(IssueType.STRUCTURE, "unknown element", location, elementName);
        }

        @Override
        public void unknownAttribute(IParseLocation location, String attributeName) {
            add(IssueType.STRUCTURE, "unknown attribute", location, attributeName);
        }

        @Override
        public void invalidValue(IParseLocation location, String value, String error) {
            // 'value' and 'error' quote the content: neither is kept.
            add(IssueType.VALUE, "invalid value", location, null);
        }

        @Override
        public void unexpectedRepeatingElement(IParseLocation location, String elementName) {
            add(IssueType.STRUCTURE, "element must not repeat", location, elementName);
        }

        @Override
        public void incorrectJsonType(IParseLocation location, String elementName,
                ca.uhn.fhir.parser.json.BaseJsonLikeValue.ValueType expected,
                ca.uhn.fhir.parser.json.BaseJsonLikeValue.ScalarType expectedScalar,
                ca.uhn.fhir.parser.json.BaseJsonLikeValue.ValueType found,
                ca.uhn.fhir.parser.json.BaseJsonLikeValue.ScalarType foundScalar) {
            add(IssueType.STRUCTURE, "wrong JSON type (expected " + expected + ", found " + found + ")", location, elementName);
        }
    }

    record Parsed(Resource resource, List<FhirRejection.Issue> parseIssues) {
    }

    Parsed read(String text, FhirFormat format) throws FhirRejection {
        int depth = format == FhirFormat.JSON ? jsonDepth(text, maxDepth) : xmlDepth(text, maxDepth);
        if (depth > maxDepth) {
            throw FhirRejection.content(400, IssueType.TOOCOSTLY, "the " + format.name() + " body is nested deeper than "
                    + maxDepth + " levels", null);
        }
        if (text.isBlank()) {
            throw FhirRejection.content(400, IssueType.REQUIRED, "the body is empty", null);
        }
        ParseIssues issues = new ParseIssues();
        IParser parser = format.parser(fhir).setParserErrorHandler(issues);
        IBaseResource resource;
        try {
            resource = parser.parseResource(text);
        } catch (DataFormatException | IllegalArgumentException | ClassCastException e) {
            throw FhirRejection.content(400, IssueType.STRUCTURE, unparseable(format, e.getMessage()), null);
        } catch (RuntimeException e) {
            // Parsers throw a zoo of runtime exceptions on broken input; all of them mean "unreadable", none is ours.
            throw FhirRejection.content(400, IssueType.STRUCTURE, "the body is not a readable FHIR "
                    + format.name() + " resource", null);
        }
        if (!(resource instanceof Resource r)) {
            throw FhirRejection.content(400, IssueType.STRUCTURE, "the body is not an R4 resource", null);
        }
        return new Parsed(r, issues.issues());
    }

    /** A parser message reduced to what it says about the position; the rest may quote the body. */
    static String unparseable(FhirFormat format, String parserMessage) {
        String message = parserMessage == null ? "" : parserMessage;
        if (message.contains("HAPI-1838") || message.contains("Unknown resource") || message.contains("HAPI-1684")) {
            return "the body's resourceType is missing or not an R4 resource type";
        }
        Matcher m = LINE_COLUMN.matcher(message);
        String where = m.find() ? " (line " + m.group(1) + ", column " + m.group(2) + ")" : "";
        return "the body is not well-formed " + format.name() + where;
    }

    /** Depth of JSON objects and arrays, stopping as soon as it exceeds {@code limit}. Strings are skipped. */
    static int jsonDepth(String text, int limit) {
        int depth = 0;
        int max = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                max = Math.max(max, ++depth);
                if (max > limit) {
                    return max;
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return max;
    }

    /** Element depth of an XML document; DTDs and external entities are refused outright. */
    static int xmlDepth(String text, int limit) throws FhirRejection {
        int depth = 0;
        int max = 0;
        try {
            XMLStreamReader reader = XML.createXMLStreamReader(new StringReader(text));
            try {
                while (reader.hasNext()) {
                    int event = reader.next();
                    if (event == XMLStreamReader.DTD) {
                        throw FhirRejection.content(400, IssueType.SECURITY, "XML with a DTD is not accepted", null);
                    }
                    if (event == XMLStreamReader.START_ELEMENT) {
                        max = Math.max(max, ++depth);
                        if (max > limit) {
                            return max;
                        }
                    } else if (event == XMLStreamReader.END_ELEMENT) {
                        depth--;
                    }
                }
            } finally {
                reader.close();
            }
        } catch (XMLStreamException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNumber() + ", column " + e.getLocation().getColumnNumber() + ")";
            throw FhirRejection.content(400, IssueType.STRUCTURE, "the body is not well-formed XML" + where, null);
        }
        return max;
    }

    private static XMLInputFactory secureXmlFactory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, Boolean.FALSE);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, Boolean.FALSE);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, Boolean.FALSE);
        return factory;
    }
}
