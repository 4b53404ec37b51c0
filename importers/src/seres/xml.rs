//! A small XML tree for schema files, read safely: the encoding is taken from the byte order mark
//! or the XML declaration, a DOCTYPE that declares entities is refused (nothing is ever resolved
//! or expanded), unknown entity references and truncated documents are errors, and nesting is
//! bounded so hostile input cannot exhaust the stack of the recursive readers that follow.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::{NsReader, XmlVersion};

use crate::ImportError;

/// Deepest element nesting accepted; real schemas stay far below it.
const MAX_DEPTH: usize = 200;

/// One attribute of an element.
#[derive(Debug, Clone)]
pub(super) struct Attr {
    /// Namespace of the attribute name (`None` when unprefixed).
    pub ns: Option<String>,
    /// Local name.
    pub local: String,
    /// The value, normalized and unescaped.
    pub value: String,
    /// The namespace the value's prefix (or the default namespace) is bound to, read as a QName.
    pub value_ns: Option<String>,
}

/// One element.
#[derive(Debug, Clone)]
pub(super) struct Node {
    /// Namespace of the element.
    pub ns: Option<String>,
    /// Local name.
    pub local: String,
    /// The name as written (`xsd:element`), for messages.
    pub qname: String,
    /// Its attributes, in document order.
    pub attrs: Vec<Attr>,
    /// Child elements, in document order.
    pub children: Vec<usize>,
    /// Its direct text content (entity and character references resolved).
    pub text: String,
    /// Its direct comments.
    pub comments: Vec<String>,
    /// 1-based line of its start tag.
    pub line: usize,
}

/// A parsed document: all elements in an arena; the root is element 0.
#[derive(Debug, Clone)]
pub(super) struct Document {
    /// The elements; `nodes[0]` is the root.
    pub nodes: Vec<Node>,
}

impl Node {
    /// The value of an unprefixed attribute.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// The value of an attribute in a namespace.
    pub fn attr_ns(&self, ns: &str, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.as_deref() == Some(ns) && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// An unprefixed attribute read as a QName: (namespace, local part).
    pub fn qname_attr(&self, local: &str) -> Option<(Option<&str>, &str)> {
        let attr = self
            .attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local == local)?;
        let value = attr.value.trim();
        let local_part = value.rsplit_once(':').map_or(value, |(_, l)| l);
        Some((attr.value_ns.as_deref(), local_part))
    }

    /// Whether this element is `local` in namespace `ns`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns.as_deref() == Some(ns) && self.local == local
    }

    /// `line 12, element xsd:complexType name="Adresse"`, for messages.
    pub fn location(&self) -> String {
        let name = self
            .attr("name")
            .map(|n| format!(" name=\"{n}\""))
            .or_else(|| self.attr("ref").map(|n| format!(" ref=\"{n}\"")))
            .unwrap_or_default();
        format!("line {}, element {}{}", self.line, self.qname, name)
    }
}

fn invalid(location: String, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        location,
        message: message.into(),
    }
}

/// Byte offsets of line starts, to turn offsets into 1-based lines.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        Lines(starts)
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.0.binary_search(&offset) {
            Ok(at) => at + 1,
            Err(at) => at,
        }
    }
}

/// The 1-based line of a byte offset in raw bytes.
fn line_of_bytes(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Decodes the bytes of an XML document to text, by BOM or XML declaration.
pub(super) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ImportError> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        if encoding == encoding_rs::UTF_8 {
            return utf8(&bytes[bom_len..], bom_len, bytes);
        }
        let (text, had_errors) =
            encoding.decode_without_bom_handling(bytes.get(bom_len..).unwrap_or_default());
        if had_errors {
            return Err(invalid(
                "line 1".to_owned(),
                format!("the file is not valid {}", encoding.name()),
            ));
        }
        return Ok(Cow::Owned(text.into_owned()));
    }
    let label = declared_encoding(bytes);
    match label {
        None => utf8(bytes, 0, bytes),
        Some(label) => {
            let Some(encoding) = encoding_rs::Encoding::for_label(label.as_bytes()) else {
                return Err(invalid(
                    "line 1, XML declaration".to_owned(),
                    format!("unknown encoding \"{label}\" (expected UTF-8 or ISO-8859-1)"),
                ));
            };
            if encoding == encoding_rs::UTF_8 {
                return utf8(bytes, 0, bytes);
            }
            if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
                return Err(invalid(
                    "line 1, XML declaration".to_owned(),
                    "declares UTF-16 but has no byte order mark",
                ));
            }
            match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(text) => Ok(text),
                None => Err(invalid(
                    "line 1".to_owned(),
                    format!("the file is not valid {}", encoding.name()),
                )),
            }
        }
    }
}

fn utf8<'b>(body: &'b [u8], skipped: usize, all: &[u8]) -> Result<Cow<'b, str>, ImportError> {
    std::str::from_utf8(body).map(Cow::Borrowed).map_err(|e| {
        let line = line_of_bytes(all, skipped + e.valid_up_to());
        invalid(
            format!("line {line}"),
            "invalid UTF-8: the file must be UTF-8 encoded or declare its encoding",
        )
    })
}

/// The `encoding="..."` of an XML declaration at the very start, if any.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..bytes.len().min(200))?;
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = String::from_utf8_lossy(&head[..end]);
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let close = value.find(quote)?;
    Some(value[..close].trim().to_owned())
}

/// Whether a DOCTYPE body declares an entity (internal or external).
fn declares_entity(doctype: &str) -> bool {
    doctype.to_ascii_uppercase().contains("<!ENTITY")
}

fn resolve_ns(result: ResolveResult<'_>) -> Option<String> {
    match result {
        ResolveResult::Bound(ns) => Some(ns.0.to_owned()),
        _ => None,
    }
}

/// Parses text into a tree. Every failure is an [`ImportError::Invalid`] naming the line.
pub(super) fn parse(text: &str) -> Result<Document, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = Lines::new(text);
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut root_done = false;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(start);
                return Err(invalid(
                    format!("line {}", lines.line_of(at)),
                    format!("not well-formed XML: {e}"),
                ));
            }
        };
        let line = lines.line_of(start);
        match event {
            Event::Start(e) | Event::Empty(e) if root_done && stack.is_empty() => {
                return Err(invalid(
                    format!("line {line}, element {}", e.name().0),
                    "a second root element: an XML document has exactly one",
                ));
            }
            Event::Start(e) => {
                let id = push_node(&reader, &e, line, &mut nodes, &stack)?;
                stack.push(id);
                if stack.len() > MAX_DEPTH {
                    return Err(invalid(
                        nodes[id].location(),
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
            }
            Event::Empty(e) => {
                push_node(&reader, &e, line, &mut nodes, &stack)?;
                if stack.is_empty() {
                    root_done = true;
                }
            }
            Event::End(_) => {
                stack.pop();
                if stack.is_empty() {
                    root_done = true;
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                append_text(&mut nodes, &stack, &content, line)?;
            }
            Event::CData(t) => {
                let content = t.xml10_content();
                append_text(&mut nodes, &stack, &content, line)?;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_owned(),
                        None => {
                            return Err(invalid(
                                format!("line {line}"),
                                format!("reference to the undeclared entity &{};", &*r),
                            ))
                        }
                    },
                    Err(e) => {
                        return Err(invalid(
                            format!("line {line}"),
                            format!("invalid character reference: {e}"),
                        ))
                    }
                };
                append_text(&mut nodes, &stack, &resolved, line)?;
            }
            Event::Comment(c) => {
                if let Some(&top) = stack.last() {
                    nodes[top].comments.push(c.xml10_content().into_owned());
                }
            }
            Event::DocType(d) => {
                let body = d.xml10_content();
                if declares_entity(&body) {
                    return Err(invalid(
                        format!("line {line}, DOCTYPE"),
                        "the DOCTYPE declares entities; entity declarations are refused \
                         (never resolved or expanded)",
                    ));
                }
            }
            Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(&open) = stack.last() {
        return Err(invalid(
            nodes[open].location(),
            "the document ends before this element is closed (truncated file?)",
        ));
    }
    if nodes.is_empty() {
        return Err(invalid(
            "line 1".to_owned(),
            "no root element: this is not an XML document",
        ));
    }
    Ok(Document { nodes })
}

fn append_text(
    nodes: &mut [Node],
    stack: &[usize],
    content: &str,
    line: usize,
) -> Result<(), ImportError> {
    match stack.last() {
        Some(&top) => {
            nodes[top].text.push_str(content);
            Ok(())
        }
        None if content.trim().is_empty() => Ok(()),
        None => Err(invalid(
            format!("line {line}"),
            "text outside the root element: this is not an XML document",
        )),
    }
}

fn push_node(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
    line: usize,
    nodes: &mut Vec<Node>,
    stack: &[usize],
) -> Result<usize, ImportError> {
    let qname = e.name().0.to_owned();
    let (ns, local) = reader.resolver().resolve_element(e.name());
    let location = format!("line {line}, element {qname}");
    if let ResolveResult::Unknown(prefix) = &ns {
        return Err(invalid(
            location,
            format!("the namespace prefix \"{prefix}\" is not declared"),
        ));
    }
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr =
            attr.map_err(|err| invalid(location.clone(), format!("bad attribute: {err}")))?;
        let key = attr.key;
        if key.as_namespace_binding().is_some() {
            continue;
        }
        let (attr_ns, attr_local) = reader.resolver().resolve_attribute(key);
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| {
                invalid(
                    location.clone(),
                    format!("bad value of attribute {}: {err}", key.0),
                )
            })?
            .into_owned();
        let value_ns = qname_namespace(reader, &value);
        attrs.push(Attr {
            ns: resolve_ns(attr_ns),
            local: attr_local.as_ref().to_owned(),
            value,
            value_ns,
        });
    }
    let id = nodes.len();
    nodes.push(Node {
        ns: resolve_ns(ns),
        local: local.as_ref().to_owned(),
        qname,
        attrs,
        children: Vec::new(),
        text: String::new(),
        comments: Vec::new(),
        line,
    });
    if let Some(&parent) = stack.last() {
        nodes[parent].children.push(id);
    }
    Ok(id)
}

/// The namespace of a value read as a QName (prefix or default namespace), if it looks like one.
fn qname_namespace(reader: &NsReader<&[u8]>, value: &str) -> Option<String> {
    let value = value.trim();
    let looks_like_qname = !value.is_empty()
        && value.matches(':').count() <= 1
        && !value.contains(char::is_whitespace)
        && !value.contains('/');
    if !looks_like_qname {
        return None;
    }
    let (ns, _) = reader.resolver().resolve(QName(value), true);
    resolve_ns(ns)
}
