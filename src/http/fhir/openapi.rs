//! The OpenAPI description of the FHIR routes, written from [`super::ROUTES`] and the
//! parameter lists the handlers check, so it says exactly what is taken.

use super::{Op, ROUTES};
use crate::fhir::params::{Kind, Spec};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Required, ResponseBuilder, Schema};

const MEDIA: &str = "application/fhir+json";
const TAG: &str = "FHIR terminology";

fn schema_of(kind: Kind) -> Option<Schema> {
    Some(match kind {
        Kind::Text => ObjectBuilder::new().schema_type(Type::String).into(),
        Kind::Boolean => ObjectBuilder::new().schema_type(Type::Boolean).into(),
        Kind::Integer { max } => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .maximum(Some(max))
            .into(),
        Kind::Date => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .into(),
        Kind::Coding => ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("a Coding as system|code"))
            .into(),
        Kind::CodeableConcept | Kind::Unsupported(_) => return None,
    })
}

fn outcome_schema() -> Schema {
    let issue = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("severity", ObjectBuilder::new().schema_type(Type::String))
        .property("code", ObjectBuilder::new().schema_type(Type::String))
        .property(
            "diagnostics",
            ObjectBuilder::new().schema_type(Type::String),
        )
        .property(
            "expression",
            ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)),
        )
        .required("severity")
        .required("code");
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "A FHIR R4 OperationOutcome: why the request was not answered",
        ))
        .property(
            "resourceType",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["OperationOutcome"])),
        )
        .property("issue", ArrayBuilder::new().items(issue))
        .required("resourceType")
        .required("issue")
        .into()
}

fn resource_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "A FHIR R4 resource (CodeSystem, ValueSet, ConceptMap, Parameters, Bundle, CapabilityStatement or TerminologyCapabilities)",
        ))
        .property("resourceType", ObjectBuilder::new().schema_type(Type::String))
        .required("resourceType")
        .into()
}

fn content(schema: &str) -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(RefOr::Ref(Ref::from_schema_name(schema))))
        .build()
}

fn error(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(MEDIA, content("OperationOutcome"))
        .build()
}

fn operation(route: &super::Route) -> utoipa::openapi::path::Operation {
    let op = route.op;
    let mut builder = OperationBuilder::new()
        .tag(TAG)
        .summary(Some(route.summary))
        .operation_id(Some(format!(
            "fhir_{}_{}",
            if route.post { "post" } else { "get" },
            route
                .path
                .trim_start_matches("/fhir/")
                .replace(['/', '$', '{', '}', '-'], "_")
        )));
    for name in ["id", "vid"] {
        if route.path.contains(&format!("{{{name}}}")) {
            builder = builder.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(Some(if name == "id" {
                        "the resource id (or a code list's alias)"
                    } else {
                        "a version number"
                    }))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
            );
        }
    }
    let specs: Vec<&Spec> = op
        .specs()
        .iter()
        .chain(crate::fhir::params::COMMON.iter())
        .collect();
    let query_specs: Vec<&Spec> = if route.post && !matches!(op, Op::Search(_)) {
        specs
            .iter()
            .copied()
            .filter(|s| s.name.starts_with('_'))
            .collect()
    } else {
        specs.clone()
    };
    for spec in query_specs {
        let Some(schema) = schema_of(spec.kind) else {
            continue;
        };
        builder = builder.parameter(
            ParameterBuilder::new()
                .name(spec.name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .schema(Some(schema)),
        );
    }
    if route.post {
        let body = if matches!(op, Op::Search(_)) {
            RequestBodyBuilder::new()
                .description(Some("the search parameters as a form"))
                .content(
                    "application/x-www-form-urlencoded",
                    ContentBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::Object)))
                        .build(),
                )
        } else {
            RequestBodyBuilder::new()
                .description(Some(
                    "a FHIR Parameters resource with the operation's parameters (or the same as a form)",
                ))
                .content(MEDIA, content("FhirResource"))
                .content(
                    "application/x-www-form-urlencoded",
                    ContentBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::Object)))
                        .build(),
                )
        };
        builder = builder.request_body(Some(body.build()));
    }
    builder = builder.response(
        "200",
        ResponseBuilder::new()
            .description("The resource (FHIR JSON), with a strong ETag and Cache-Control on GET")
            .content(MEDIA, content("FhirResource"))
            .build(),
    );
    if !route.post {
        builder = builder.response(
            "304",
            ResponseBuilder::new()
                .description("Not modified: the If-None-Match ETag is current")
                .build(),
        );
    }
    builder = builder
        .response("400", error("A parameter is invalid, unknown or not supported (OperationOutcome invalid / not-supported)"))
        .response("404", error("Unknown resource, code system, value set, concept map or code (OperationOutcome not-found)"))
        .response("406", error("A format other than FHIR JSON was asked for (OperationOutcome not-supported)"));
    if route.post {
        builder = builder
            .response("413", error("The body is over the size limit (OperationOutcome too-long)"))
            .response("415", error("The body is not a Parameters resource or form (OperationOutcome not-supported)"));
    }
    if op == Op::Expand {
        builder = builder.response(
            "422",
            error(
                "The expansion is too large for one answer; page it (OperationOutcome too-costly)",
            ),
        );
    }
    builder
        .response("500", error("Internal error (OperationOutcome exception)"))
        .response(
            "503",
            error("The store is unavailable for a moment (OperationOutcome transient)"),
        )
        .build()
}

/// The OpenAPI paths and schemas of the FHIR routes.
pub fn openapi() -> OpenApi {
    let mut paths = utoipa::openapi::Paths::new();
    for route in ROUTES {
        let method = if route.post {
            HttpMethod::Post
        } else {
            HttpMethod::Get
        };
        paths.add_path_operation(route.path, vec![method], operation(route));
    }
    let components = utoipa::openapi::ComponentsBuilder::new()
        .schema("OperationOutcome", outcome_schema())
        .schema("FhirResource", resource_schema())
        .build();
    utoipa::openapi::OpenApiBuilder::new()
        .paths(paths)
        .components(Some(components))
        .build()
}
