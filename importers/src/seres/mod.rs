//! Importer for SERES / Altinn II OR XSD: bytes to ModellDCAT-AP-NO triples (then resources via
//! [`crate::rdf::finish`]).
//!
//! Both generations of Altinn data models are read: SERES_XSD_GEN output (`seres:guid`,
//! `seres:elementtype`, `seres:orid`, the header pseudo-attributes, the `Meldingsmodell` root
//! type, restriction chains such as `Tekst_50` -> `Tekst_50_Tekst_50Restriksjon`, `Datakodeliste`
//! enumerations) and the Altinn II OR format (`-grp-` / `-datadef-` / `-repformat-` names, `orid`,
//! `brreg:tekst` texts in NOB / NON / EN). Any other XML Schema is read the same way, without the
//! SERES / OR extras.
//!
//! # Shape
//!
//! ```turtle
//! <urn:semreg:seres:5742-34627> a modelldcatno:InformationModel ;
//!     dct:title "HvemErHvem_M" ; dct:identifier "5742-34627" ; semreg:alias "seres-5742-34627" ;
//!     owl:versionInfo "34627" ; semreg:xmlNamespace "http://seres.no/xsd/Kursdomene/HvemErHvem_M/2021" ;
//!     semreg:xsdInfo "{\"modellnavn\":\"HvemErHvem_M\",...}"^^rdf:JSON ;
//!     modelldcatno:containsModelElement <http://seres.no/guid/Kursdomene/Dataobjekttype/Geek/784940>, ... ;
//!     semreg:rootElement <urn:semreg:seres:5742-34627#melding> .
//! <urn:semreg:seres:5742-34627#melding> a modelldcatno:Role ; dct:title "melding" ;
//!     modelldcatno:hasObjectType <http://seres.no/guid/Kursdomene/Meldingsmodell/HvemErHvem_M/784912> ;
//!     modelldcatno:minOccurs 1 ; modelldcatno:maxOccurs 1 .
//! <http://seres.no/guid/Kursdomene/Dataobjekttype/Geek/784940> a modelldcatno:ObjectType ;
//!     dct:title "Geek" ; semreg:xmlName "Geek" ; skos:prefLabel "Geek"@nb ;
//!     dct:identifier "http://seres.no/guid/Kursdomene/Dataobjekttype/Geek/784940" ;
//!     semreg:seresElementType "Dataobjekttype" ;
//!     modelldcatno:hasProperty <http://seres.no/guid/Kursdomene/Dataobjekttype/Geek/784940#navn> .
//! <http://seres.no/guid/Kursdomene/Dataobjekttype/Geek/784940#navn> a modelldcatno:Attribute ;
//!     dct:title "navn" ; semreg:xmlName "navn" ; modelldcatno:sequenceNumber 1 ;
//!     modelldcatno:minOccurs 0 ; modelldcatno:maxOccurs "*" ; semreg:nillable true ;
//!     modelldcatno:hasSimpleType <http://seres.no/guid/Kursdomene/Dataenkeltype/Navn/4007> .
//! <http://seres.no/guid/.../Tekst50/479312> a modelldcatno:SimpleType ; dct:title "Tekst_50" ;
//!     modelldcatno:typeDefinitionReference "http://www.w3.org/2001/XMLSchema#string"^^xsd:anyURI ;
//!     xsd:maxLength 50 ; prov:wasDerivedFrom <http://seres.no/guid/.../Tekst_50Restriksjon/502232> .
//! <http://seres.no/guid/.../GeekType/784953> a modelldcatno:SimpleType ;
//!     modelldcatno:hasValueFrom <http://seres.no/guid/.../GeekType/784953#codes> .
//! <http://seres.no/guid/.../GeekType/784953#codes> a skos:ConceptScheme, modelldcatno:CodeList ;
//!     # codes as written by crate::codelist: skos:notation = the enumeration value
//! ```
//!
//! - Properties are `modelldcatno:Attribute` (simple-valued, `hasSimpleType`, and `hasValueFrom`
//!   when the value comes from an enumeration) or `modelldcatno:Role` (complex-valued,
//!   `hasObjectType`). The XML name is kept in `semreg:xmlName` (`dct:title` holds it too, and may
//!   be edited; `dct:identifier` holds the SERES guid). XML attributes carry
//!   `semreg:xmlAttribute true`; the text of a complex type with simple content is a property
//!   `value` with `semreg:xmlText true` (as Altinn names it). `semreg:nillable`,
//!   `semreg:fixedValue`, `semreg:defaultValue`, `semreg:anyAttribute`, `semreg:seresElementType`
//!   keep the rest of the XSD.
//! - `maxOccurs="unbounded"` is `modelldcatno:maxOccurs "*"` (the ontology's range allows a
//!   non-negative integer, `"*"` or `"n"`).
//! - A property typed with a built-in or anonymous simple type points to a blank-node
//!   `modelldcatno:SimpleType` (skolemized later), so no resource is made for `xs:string`.
//! - Facets are the XSD terms ModellDCAT-AP-NO uses (`xsd:maxLength`, `xsd:pattern`, ...), merged
//!   down each restriction chain onto every named simple type, whose direct base is kept with
//!   `prov:wasDerivedFrom`. A complex type extending another has a `modelldcatno:Specialization`
//!   property (`hasGeneralConcept` the base); one restricting another has `prov:wasDerivedFrom`.
//! - Texts: OR `LEDE` -> `skos:prefLabel`, `DEF` and `seres:beskrivelse` -> `dct:description`,
//!   `HJELP` -> `skos:scopeNote`, `FEIL` -> `skos:note`; the Norwegian name in a guid path is a
//!   `skos:prefLabel@nb`. OR ids (`orid`, group and repformat ids) are `adms:identifier`s.
//! - Enumerations are code lists written with [`crate::codelist::CodeListBuilder`]; the empty
//!   value (SERES "tom") is kept and marked `semreg:emptyCode true`.
//!
//! # IRIs
//!
//! - A type with a `seres:guid` is named by the guid (a URL already), so the same SERES type in
//!   several files is one shared resource. A type of an OR file is named by its Oppgaveregisteret
//!   id: `urn:semreg:or:datadef:<orid>`, `urn:semreg:or:grp:<gruppeid>`,
//!   `urn:semreg:or:repformat:<id>`.
//! - Everything else lives under the model base: `ImportOptions::base_iri`, else
//!   `urn:semreg:seres:<model id>/` where the model id is `<dataFormatId>-<dataFormatVersion>`
//!   (SERES), `or-<skjemanummer>-<spesifikasjonsnummer>` (OR), else `modellnavn`, the file name or
//!   the root element. The model is the base without its last `/`; named types are
//!   `<base>type/<name>`, anonymous types of global elements `<base>element/<name>`.
//! - Parts hang off their owner with a fragment: properties `T#name`, attributes `T#@name`,
//!   simple content `T#value`, a specialization `T#~base`, the anonymous type of a property
//!   `T#name/type`, a code list `S#codes` (or `T#name/codes` for an anonymous enumeration).

mod emit;
mod iris;
mod model;
mod schema;
mod xml;

use oxrdf::Triple;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::{ImportError, ImportOptions, ImportWarning};

/// Reads SERES / Altinn II OR XSD (or any XML Schema) into ModellDCAT-AP-NO triples plus
/// warnings; malformed or hostile input is an [`ImportError::Invalid`] naming the line.
pub fn to_triples(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<(Vec<Triple>, Vec<ImportWarning>), ImportError> {
    let text = xml::decode(bytes)?;
    let document = xml::parse(&text)?;
    let schema = schema::read(&document)?;
    emit::emit(&schema, options)
}

/// Whether the bytes are an XML Schema: the root element is `schema` in the XML Schema namespace.
pub fn looks_like_xsd(bytes: &[u8]) -> bool {
    let Ok(text) = xml::decode(bytes) else {
        return false;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = NsReader::from_str(text);
    for _ in 0..1000 {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let (ns, local) = reader.resolver().resolve_element(e.name());
                return local.as_ref() == "schema"
                    && matches!(ns, ResolveResult::Bound(ns) if ns.0 == model::XS);
            }
            Ok(Event::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{import, Format, ImportBatch, ResourceKind};

    const HEAD: &str = r#"<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:seres="http://seres.no/xsd/forvaltningsdata" xmlns:brreg="http://www.brreg.no/or">"#;

    fn run(body: &str) -> ImportBatch {
        let text = format!("{HEAD}{body}</xsd:schema>");
        import(Format::Seres, text.as_bytes(), &ImportOptions::default()).expect("imports")
    }

    fn nt(batch: &ImportBatch) -> String {
        batch
            .resources
            .iter()
            .flat_map(|r| &r.triples)
            .map(|t| format!("{t}\n"))
            .collect()
    }

    #[test]
    fn restriction_chain_facets_end_up_on_the_simple_type_a_property_uses() {
        let batch = run(r#"
            <xsd:element name="melding" type="M"/>
            <xsd:complexType name="M"><xsd:sequence>
              <xsd:element name="navn" type="Tekst_50" minOccurs="0" maxOccurs="unbounded" nillable="true"/>
            </xsd:sequence></xsd:complexType>
            <xsd:simpleType name="Tekst_50"><xsd:restriction base="Tekst_50_Tekst_50Restriksjon"/></xsd:simpleType>
            <xsd:simpleType name="Tekst_50_Tekst_50Restriksjon"><xsd:restriction base="xsd:string"><xsd:maxLength value="50"/></xsd:restriction></xsd:simpleType>"#);
        let text = nt(&batch);
        let tekst = "<urn:semreg:seres:melding/type/Tekst_50>";
        assert!(
            text.contains(&format!(
                "{tekst} <http://www.w3.org/2001/XMLSchema#maxLength> \"50\""
            )),
            "{text}"
        );
        assert!(text.contains(&format!("{tekst} <http://www.w3.org/ns/prov#wasDerivedFrom> <urn:semreg:seres:melding/type/Tekst_50_Tekst_50Restriksjon>")));
        assert!(
            text.contains("#navn> <https://data.norge.no/vocabulary/modelldcatno#maxOccurs> \"*\"")
        );
        assert!(text.contains("#navn> <https://w3id.org/semreg/ns#nillable> \"true\""));
    }

    #[test]
    fn a_type_with_a_guid_is_named_by_its_guid_and_its_helpers_after_it() {
        let batch = run(r#"
            <xsd:element name="melding" type="M"/>
            <xsd:complexType name="M" seres:elementtype="Meldingsmodell" seres:guid="http://seres.no/guid/D/Meldingsmodell/M/1">
              <xsd:sequence><xsd:element name="orgnr" type="Orgnr-18"/></xsd:sequence>
            </xsd:complexType>
            <xsd:complexType name="Orgnr-18" seres:elementtype="ORDataenkeltype" seres:guid="http://seres.no/guid/ORDataenkeltype/Orgnr-18/400536" seres:orid="18">
              <xsd:simpleContent><xsd:extension base="Orgnr-18_Tekst9"><xsd:attribute name="orid" type="xsd:string" use="required" fixed="18"/></xsd:extension></xsd:simpleContent>
            </xsd:complexType>
            <xsd:simpleType name="Orgnr-18_Tekst9"><xsd:restriction base="xsd:string"><xsd:length value="9"/></xsd:restriction></xsd:simpleType>"#);
        let iris: Vec<&str> = batch.resources.iter().map(|r| r.iri.as_str()).collect();
        assert!(
            iris.contains(&"http://seres.no/guid/ORDataenkeltype/Orgnr-18/400536"),
            "{iris:?}"
        );
        assert!(
            iris.contains(
                &"http://seres.no/guid/ORDataenkeltype/Orgnr-18/400536#type/Orgnr-18_Tekst9"
            ),
            "{iris:?}"
        );
        let text = nt(&batch);
        assert!(
            text.contains("Orgnr-18/400536#value> <https://w3id.org/semreg/ns#xmlText> \"true\"")
        );
        assert!(
            text.contains("Orgnr-18/400536#@orid> <https://w3id.org/semreg/ns#fixedValue> \"18\"")
        );
        assert!(text.contains("\"Oppgaveregisteret (orid)\""));
    }

    #[test]
    fn an_or_datadef_is_named_by_its_orid_and_keeps_its_texts() {
        let text = r#"<?xml version="1.0" encoding="iso-8859-1"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:brreg="http://www.brreg.no/or">
  <xs:element name="Skjema"><xs:complexType><xs:sequence>
    <xs:element ref="Navn-datadef-1" minOccurs="0"><xs:annotation><xs:documentation>
      <brreg:tekst brreg:lang="NOB" brreg:teksttype="LEDE"><p>Navn</p></brreg:tekst>
      <brreg:tekst brreg:lang="NON" brreg:teksttype="LEDE"><p>Namn</p></brreg:tekst>
    </xs:documentation></xs:annotation></xs:element>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="Navn-datadef-1"><xs:annotation><xs:documentation>
    <brreg:tekst brreg:lang="NOB" brreg:teksttype="DEF"><p>Enhetens navn, s\xe5 som registrert.</p></brreg:tekst>
  </xs:documentation></xs:annotation>
  <xs:complexType><xs:simpleContent><xs:extension base="Tekst35-repformat-3">
    <xs:attribute fixed="1" name="orid" type="xs:positiveInteger" use="required"/>
  </xs:extension></xs:simpleContent></xs:complexType></xs:element>
  <xs:simpleType name="Tekst35-repformat-3"><xs:restriction base="xs:string"><xs:maxLength value="35"/></xs:restriction></xs:simpleType>
</xs:schema>"#;
        let mut bytes = text.as_bytes().to_vec();
        // Make it real ISO-8859-1: the escaped \xe5 becomes the single byte for "å".
        let at = bytes
            .windows(4)
            .position(|w| w == b"\\xe5")
            .expect("marker");
        bytes.splice(at..at + 4, [0xe5]);
        let batch = import(Format::Seres, &bytes, &ImportOptions::default()).expect("imports");
        let datadef = batch
            .resources
            .iter()
            .find(|r| r.iri.as_str() == "urn:semreg:or:datadef:1")
            .expect("the datadef");
        let text = nt(&batch);
        assert!(
            text.contains("\"Enhetens navn, så som registrert.\"@nb"),
            "{text}"
        );
        assert!(text.contains("\"Namn\"@nn"));
        assert!(batch
            .resources
            .iter()
            .any(|r| r.iri.as_str() == "urn:semreg:or:repformat:3"));
        assert_eq!(datadef.kind, ResourceKind::Type);
    }

    #[test]
    fn the_empty_tom_code_is_kept_and_marked() {
        let batch = run(r#"
            <xsd:element name="melding" type="Svar"/>
            <xsd:simpleType name="Svar" seres:elementtype="Datakodeliste" seres:guid="http://seres.no/guid/S/Datakodeutvalg/Svar/13653">
              <xsd:restriction base="xsd:string">
                <xsd:enumeration value="1" seres:guid="http://seres.no/guid/S/Datakodeelement/Ja/1"/>
                <xsd:enumeration value="" seres:guid="http://seres.no/guid/S/Datakodeelement/tom/2"/>
              </xsd:restriction>
            </xsd:simpleType>"#);
        let list = batch
            .resources
            .iter()
            .find(|r| r.kind == ResourceKind::CodeList)
            .expect("a code list");
        assert_eq!(
            list.iri.as_str(),
            "http://seres.no/guid/S/Datakodeutvalg/Svar/13653#codes"
        );
        let text = nt(&batch);
        assert!(
            text.contains("/code/> <https://w3id.org/semreg/ns#emptyCode> \"true\""),
            "{text}"
        );
        assert!(text.contains("/code/1> <http://www.w3.org/2004/02/skos/core#prefLabel> \"Ja\"@nb"));
        assert!(text.contains("<https://data.norge.no/vocabulary/modelldcatno#hasValueFrom> <http://seres.no/guid/S/Datakodeutvalg/Svar/13653#codes>"));
    }

    #[test]
    fn unsupported_constructs_are_warnings_naming_the_element() {
        let batch = run(r#"
            <xsd:import namespace="urn:other" schemaLocation="other.xsd"/>
            <xsd:element name="melding"><xsd:complexType>
              <xsd:choice><xsd:element name="a" type="xsd:string"/><xsd:any/></xsd:choice>
              <xsd:attribute name="u"><xsd:simpleType><xsd:union memberTypes="xsd:int xsd:date"/></xsd:simpleType></xsd:attribute>
            </xsd:complexType></xsd:element>"#);
        let messages: Vec<String> = batch
            .warnings
            .iter()
            .map(|w| format!("{} {}", w.location.as_deref().unwrap_or(""), w.message))
            .collect();
        for expected in ["xsd:import", "xsd:choice", "xsd:any", "xsd:union"] {
            assert!(
                messages.iter().any(|m| m.contains(expected)),
                "{expected}: {messages:?}"
            );
        }
    }

    #[test]
    fn a_doctype_declaring_entities_is_refused() {
        let text = "<!DOCTYPE s [<!ENTITY x \"y\">]><xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"/>";
        let error = to_triples(text.as_bytes(), &ImportOptions::default()).expect_err("refused");
        assert!(
            matches!(error, ImportError::Invalid { ref location, .. } if location == "line 1, DOCTYPE"),
            "{error}"
        );
    }

    #[test]
    fn truncated_xml_names_the_unclosed_element() {
        let text = format!("{HEAD}\n<xsd:complexType name=\"Adresse\">\n<xsd:sequence>");
        let error = to_triples(text.as_bytes(), &ImportOptions::default()).expect_err("refused");
        match error {
            ImportError::Invalid { location, .. } => {
                assert_eq!(location, "line 3, element xsd:sequence")
            }
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn looks_like_xsd_accepts_schema_roots_only() {
        assert!(looks_like_xsd(format!("{HEAD}</xsd:schema>").as_bytes()));
        assert!(looks_like_xsd(b"\xEF\xBB\xBF<?xml version=\"1.0\"?><!-- c --><s:schema xmlns:s=\"http://www.w3.org/2001/XMLSchema\"/>"));
        assert!(!looks_like_xsd(b"<schema/>"));
        assert!(!looks_like_xsd(b"<xs:schema xmlns:xs=\"urn:x\"/>"));
        assert!(!looks_like_xsd(b"\xff\xfe"));
    }

    #[test]
    fn guid_names_and_encoded_iris_are_read_safely() {
        assert_eq!(
            iris::guid_name("http://seres.no/guid/D/Dataegenskap/Fødselsdato/784938"),
            Some("Fødselsdato")
        );
        assert_eq!(iris::guid_name("http://seres.no/guid/x"), None);
        assert_eq!(iris::encode("a b/c#d"), "a%20b%2Fc%23d");
        assert_eq!(
            schema::or_id("Navn-datadef-12"),
            Some((model::OrKind::Datadef, "12".to_owned()))
        );
        assert_eq!(schema::or_id("Navn-18_Tekst-repformat-8_2"), None);
    }
}
