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

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn schema_of(kind: Kind) -> Option<Schema> {
    Some(match kind {
        Kind::Text => string().into(),
        Kind::Boolean => ObjectBuilder::new().schema_type(Type::Boolean).into(),
        Kind::Integer { max } => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .maximum(Some(max))
            .into(),
        Kind::Date => string()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .into(),
        Kind::Coding => string()
            .description(Some("a Coding as system|code (or a code alone)"))
            .pattern(Some("^.*[^|]$"))
            .into(),
        Kind::CodeableConcept | Kind::Unsupported(_) => return None,
    })
}

/// The schema of a query parameter: its kind's, narrowed to what the handler takes where a
/// string parameter takes only some strings.
fn parameter_schema(op: Op, spec: &Spec) -> Option<Schema> {
    let one_of = |values: &[&str]| -> Schema { string().enum_values(Some(values.to_vec())).into() };
    let narrowed = match spec.name {
        "_format" => Some(one_of(&["json", "application/json", "application/fhir+json", "application/json+fhir"])),
        "_summary" if matches!(op, Op::Search(_)) => Some(one_of(&["true", "false", "text", "data", "count"])),
        "_summary" => Some(one_of(&["true", "false", "text", "data"])),
        "_total" => Some(one_of(&["none", "estimate", "accurate"])),
        "mode" => Some(one_of(&["full", "normative", "terminology"])),
        "displayLanguage" => Some(
            string()
                .pattern(Some("^[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8})*$"))
                .max_length(Some(35))
                .into(),
        ),
        "property" => Some(
            string()
                .pattern(Some(
                    "^(\\*|name|version|display|definition|designation|parent|child|status|inactive|validFrom|validTo|replacedBy|lang\\.[A-Za-z0-9-]+)$",
                ))
                .into(),
        ),
        _ => None,
    };
    let schema = match narrowed {
        Some(schema) => schema,
        None => schema_of(spec.kind)?,
    };
    Some(if spec.repeats {
        ArrayBuilder::new().items(RefOr::T(schema)).into()
    } else {
        schema
    })
}

/// Whether a type-level operation needs a parameter whatever else is given.
fn required(op: Op, instance: bool, name: &str) -> bool {
    !instance && name == "url" && matches!(op, Op::Expand | Op::ValidateValueSet)
}

/// A `Parameters` resource with the operation's parameters, each typed by its name.
fn parameters_schema(op: Op) -> Schema {
    let items: Vec<RefOr<Schema>> = op
        .specs()
        .iter()
        .filter_map(|spec| {
            let (key, value): (&str, Schema) = match spec.kind {
                Kind::Text => ("valueString", string().into()),
                Kind::Boolean => (
                    "valueBoolean",
                    ObjectBuilder::new().schema_type(Type::Boolean).into(),
                ),
                Kind::Integer { .. } => ("valueInteger", schema_of(spec.kind)?),
                Kind::Date => ("valueDate", schema_of(spec.kind)?),
                Kind::Coding => ("valueCoding", coding_schema().into()),
                Kind::CodeableConcept => (
                    "valueCodeableConcept",
                    ObjectBuilder::new()
                        .schema_type(Type::Object)
                        .property(
                            "coding",
                            ArrayBuilder::new()
                                .items(coding_schema())
                                .min_items(Some(1)),
                        )
                        .required("coding")
                        .into(),
                ),
                Kind::Unsupported(_) => return None,
            };
            let value = if spec.kind == Kind::Text {
                parameter_schema(op, &Spec::one(spec.name, Kind::Text)).unwrap_or(value)
            } else {
                value
            };
            Some(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property("name", string().enum_values(Some([spec.name])))
                    .property(key, value)
                    .required("name")
                    .required(key)
                    .additional_properties(Some(
                        utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
                    ))
                    .into(),
            )
        })
        .collect();
    let mut one_of = utoipa::openapi::schema::OneOfBuilder::new();
    for item in items {
        one_of = one_of.item(item);
    }
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "A FHIR R4 Parameters resource with the operation's parameters",
        ))
        .property("resourceType", string().enum_values(Some(["Parameters"])))
        .property("parameter", ArrayBuilder::new().items(one_of))
        .required("resourceType")
        .into()
}

/// The operation's parameters as a form: one field per parameter, nothing else.
fn form_schema(op: Op) -> Schema {
    let mut form = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ));
    // A form field is one value (a repeated one is the same field again, which a schema of
    // the form's object cannot tell from an array).
    for spec in op.specs() {
        if let Some(schema) = parameter_schema(op, &Spec::one(spec.name, spec.kind)) {
            form = form.property(spec.name, schema);
        }
    }
    form.into()
}

fn coding_schema() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("system", string())
        .property("version", string())
        .property("code", string().min_length(Some(1)))
        .property("display", string())
        .required("code")
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
    // A POST takes its parameters in the body; only the format ones in the query string.
    let query_specs: Vec<&Spec> = if route.post {
        specs
            .iter()
            .copied()
            .filter(|s| crate::fhir::params::COMMON.iter().any(|c| c.name == s.name))
            .collect()
    } else {
        specs.clone()
    };
    let instance = route.path.contains("{id}");
    for spec in query_specs {
        let Some(schema) = parameter_schema(op, spec) else {
            continue;
        };
        let needed = !route.post && required(op, instance, spec.name);
        builder = builder.parameter(
            ParameterBuilder::new()
                .name(spec.name)
                .parameter_in(ParameterIn::Query)
                .required(if needed {
                    Required::True
                } else {
                    Required::False
                })
                .schema(Some(schema)),
        );
    }
    if route.post {
        let body = if matches!(op, Op::Search(_)) {
            RequestBodyBuilder::new()
                .description(Some("the search parameters as a form"))
                .content(
                    "application/x-www-form-urlencoded",
                    ContentBuilder::new().schema(Some(form_schema(op))).build(),
                )
        } else {
            RequestBodyBuilder::new()
                .description(Some(
                    "a FHIR Parameters resource with the operation's parameters (or the same as a form)",
                ))
                .content(
                    MEDIA,
                    ContentBuilder::new()
                        .schema(Some(parameters_schema(op)))
                        .build(),
                )
                .content(
                    "application/x-www-form-urlencoded",
                    ContentBuilder::new().schema(Some(form_schema(op))).build(),
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
