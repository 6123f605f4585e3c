import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads PUBLISH bodies with FoundationXML's `XMLParser` (libxml2 underneath: a maintained,
/// fuzzed XML parser) into the presence core's `PIDFDocument`. The daemon injects it through
/// `PresenceSettings.readPIDF`; the Presence folder itself stays Foundation-free, with its own
/// small tokenizer as the default (unit tests, fuzzing).
///
/// Safety: bodies over 64 KiB are refused before parsing; external entities are not resolved
/// (`shouldResolveExternalEntities` stays false) and libxml2 caps entity expansion, so a
/// "billion laughs" body fails instead of growing. Any parser error, a root other than
/// `presence` or an unbalanced document is nil → 400. Namespaces are matched by local name, as the
/// core's reader does (`pidf:tuple` = `tuple`), since real phones use every prefix imaginable.
final class EdgePIDFReader: NSObject, XMLParserDelegate {
    static let maxBytes = 64 * 1024

    private var document = PIDFDocument(entity: "")
    private var path: [String] = []
    private var tuple: PIDFTuple?
    private var text = ""
    private var sawRoot = false
    private var failed = false

    /// The document, or nil when the body is not a well-formed PIDF.
    static func read(_ bytes: [UInt8]) -> PIDFDocument? {
        guard !bytes.isEmpty, bytes.count <= maxBytes else { return nil }
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        let reader = EdgePIDFReader()
        parser.delegate = reader
        guard parser.parse(), !reader.failed, reader.sawRoot, reader.path.isEmpty else { return nil }
        return reader.document
    }

    private static func localName(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes attributeDict: [String: String] = [:])
    {
        let name = Self.localName(elementName)
        if path.isEmpty {
            guard !sawRoot, name == "presence" else {
                failed = true
                parser.abortParsing()
                return
            }
            sawRoot = true
            document.entity = attributeDict["entity"] ?? ""
        }
        if name == "tuple" { tuple = PIDFTuple(id: attributeDict["id"] ?? "t\(document.tuples.count)", basic: .closed) }
        if path.last == "activities", let activity = PresenceActivity(rawValue: name) { document.activities.append(activity) }
        path.append(name)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        let name = Self.localName(elementName)
        guard path.last == name else {
            failed = true
            parser.abortParsing()
            return
        }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parent = path.dropLast().last
        switch name {
        case "basic" where tuple != nil: tuple?.basic = value.lowercased() == "open" ? .open : .closed
        case "contact" where tuple != nil: tuple?.contact = value
        case "note":
            if tuple != nil, parent == "tuple" { tuple?.note = value } else { document.notes.append(value) }
        case "other" where parent == "activities":
            if let activity = PresenceActivity(rawValue: value) { document.activities.append(activity) }
        case "tuple":
            if let t = tuple { document.tuples.append(t) }
            tuple = nil
        default: break
        }
        path.removeLast()
        text = ""
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        failed = true
    }
}
