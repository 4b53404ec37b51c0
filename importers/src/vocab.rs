//! IRIs of the vocabulary terms the importers look at.
//!
//! Only what the importers need is listed; the vocabularies themselves live in `ontologies/`.

/// The RDF namespace.
pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
/// rdf:type.
pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// The RDFS namespace.
pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
/// rdfs:label.
pub const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";

/// The OWL namespace.
pub const OWL: &str = "http://www.w3.org/2002/07/owl#";
/// owl:Ontology.
pub const OWL_ONTOLOGY: &str = "http://www.w3.org/2002/07/owl#Ontology";
/// owl:versionInfo.
pub const OWL_VERSION_INFO: &str = "http://www.w3.org/2002/07/owl#versionInfo";

/// The SKOS namespace.
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
/// skos:Concept.
pub const SKOS_CONCEPT: &str = "http://www.w3.org/2004/02/skos/core#Concept";
/// skos:ConceptScheme.
pub const SKOS_CONCEPT_SCHEME: &str = "http://www.w3.org/2004/02/skos/core#ConceptScheme";
/// skos:Collection.
pub const SKOS_COLLECTION: &str = "http://www.w3.org/2004/02/skos/core#Collection";
/// skos:inScheme.
pub const SKOS_IN_SCHEME: &str = "http://www.w3.org/2004/02/skos/core#inScheme";
/// skos:topConceptOf.
pub const SKOS_TOP_CONCEPT_OF: &str = "http://www.w3.org/2004/02/skos/core#topConceptOf";
/// skos:hasTopConcept.
pub const SKOS_HAS_TOP_CONCEPT: &str = "http://www.w3.org/2004/02/skos/core#hasTopConcept";
/// skos:prefLabel.
pub const SKOS_PREF_LABEL: &str = "http://www.w3.org/2004/02/skos/core#prefLabel";

/// The SKOS-XL namespace.
pub const SKOSXL: &str = "http://www.w3.org/2008/05/skos-xl#";
/// skosxl:prefLabel.
pub const SKOSXL_PREF_LABEL: &str = "http://www.w3.org/2008/05/skos-xl#prefLabel";
/// skosxl:literalForm.
pub const SKOSXL_LITERAL_FORM: &str = "http://www.w3.org/2008/05/skos-xl#literalForm";

/// The DCMI terms namespace.
pub const DCT: &str = "http://purl.org/dc/terms/";
/// dct:title.
pub const DCT_TITLE: &str = "http://purl.org/dc/terms/title";
/// dct:description.
pub const DCT_DESCRIPTION: &str = "http://purl.org/dc/terms/description";

/// The DCAT namespace.
pub const DCAT: &str = "http://www.w3.org/ns/dcat#";
/// dcat:Catalog.
pub const DCAT_CATALOG: &str = "http://www.w3.org/ns/dcat#Catalog";
/// dcat:CatalogRecord.
pub const DCAT_CATALOG_RECORD: &str = "http://www.w3.org/ns/dcat#CatalogRecord";

/// The FOAF namespace.
pub const FOAF: &str = "http://xmlns.com/foaf/0.1/";
/// foaf:name.
pub const FOAF_NAME: &str = "http://xmlns.com/foaf/0.1/name";
/// foaf:primaryTopic (what a catalog record is about).
pub const FOAF_PRIMARY_TOPIC: &str = "http://xmlns.com/foaf/0.1/primaryTopic";

/// The SHACL namespace.
pub const SH: &str = "http://www.w3.org/ns/shacl#";
/// sh:NodeShape.
pub const SH_NODE_SHAPE: &str = "http://www.w3.org/ns/shacl#NodeShape";
/// sh:PropertyShape.
pub const SH_PROPERTY_SHAPE: &str = "http://www.w3.org/ns/shacl#PropertyShape";

/// The EU Publications Office vocabulary namespace (euvoc).
pub const EUVOC: &str = "http://publications.europa.eu/ontology/euvoc#";

/// SKOS-AP-NO-Begrep v2 namespace.
pub const SKOSNO: &str = "https://data.norge.no/vocabulary/skosno#";
/// The legacy SKOS-AP-NO v1 namespace (read and mapped forward).
pub const SKOSNO_V1: &str = "http://difi.no/skosno#";

/// The ModellDCAT-AP-NO namespace.
pub const MODELLDCATNO: &str = "https://data.norge.no/vocabulary/modelldcatno#";
/// modelldcatno:InformationModel.
pub const MODELLDCATNO_INFORMATION_MODEL: &str =
    "https://data.norge.no/vocabulary/modelldcatno#InformationModel";
/// modelldcatno:ObjectType.
pub const MODELLDCATNO_OBJECT_TYPE: &str =
    "https://data.norge.no/vocabulary/modelldcatno#ObjectType";
/// modelldcatno:RootObjectType.
pub const MODELLDCATNO_ROOT_OBJECT_TYPE: &str =
    "https://data.norge.no/vocabulary/modelldcatno#RootObjectType";
/// modelldcatno:SimpleType.
pub const MODELLDCATNO_SIMPLE_TYPE: &str =
    "https://data.norge.no/vocabulary/modelldcatno#SimpleType";
/// modelldcatno:DataType.
pub const MODELLDCATNO_DATA_TYPE: &str = "https://data.norge.no/vocabulary/modelldcatno#DataType";
/// modelldcatno:CodeList.
pub const MODELLDCATNO_CODE_LIST: &str = "https://data.norge.no/vocabulary/modelldcatno#CodeList";
/// modelldcatno:CodeElement.
pub const MODELLDCATNO_CODE_ELEMENT: &str =
    "https://data.norge.no/vocabulary/modelldcatno#CodeElement";

/// The legacy (pre-2020) information model namespace, prefix `dcatnoinfo:` in FDK data.
pub const DCATNOINFO: &str = "http://data.norge.no/informationmodel/";
/// dcatnoinfo:InformationModel (legacy).
pub const DCATNOINFO_INFORMATION_MODEL: &str =
    "http://data.norge.no/informationmodel/InformationModel";
/// dcatnoinfo:ModelElement (legacy; object types, data types and code lists alike).
pub const DCATNOINFO_MODEL_ELEMENT: &str = "http://data.norge.no/informationmodel/ModelElement";
/// dcatnoinfo:CodeList (legacy).
pub const DCATNOINFO_CODE_LIST: &str = "http://data.norge.no/informationmodel/CodeList";
/// dcatnoinfo:Codename (legacy code of a code list).
pub const DCATNOINFO_CODENAME: &str = "http://data.norge.no/informationmodel/Codename";
/// dcatnoinfo:containsCodename (legacy link from a code list to its codes).
pub const DCATNOINFO_CONTAINS_CODENAME: &str =
    "http://data.norge.no/informationmodel/containsCodename";
/// dcatnoinfo:name (legacy name of a model element, used as its label).
pub const DCATNOINFO_NAME: &str = "http://data.norge.no/informationmodel/name";

/// The SSSOM namespace.
pub const SSSOM: &str = "https://w3id.org/sssom/";
/// sssom:MappingSet.
pub const SSSOM_MAPPING_SET: &str = "https://w3id.org/sssom/MappingSet";

/// semreg's own namespace (`ontologies/semreg.ttl`).
pub const SEMREG: &str = "https://w3id.org/semreg/ns#";
/// semreg:ServiceModel: a designer's service model composed of registry types.
pub const SEMREG_SERVICE_MODEL: &str = "https://w3id.org/semreg/ns#ServiceModel";
