//! `App/models/<Model>.schema.json`, `.xsd` and `.cs`, and `App/config/applicationmetadata.json`.
//!
//! The JSON Schema is the service model's own, as composed (what apply validates against),
//! with the root element Altinn reads. The XSD and the C# classes are written by the type
//! exports (`crate::types`) from that same schema read back by our JSON Schema importer, so
//! the three files describe one model: the C# namespace `Altinn.App.Models.<Model>`, the class
//! and the XML root element `<Model>`, which `applicationmetadata.json`'s `classRef` names.

use super::{AltinnOptions, AppFile};
use crate::forms::FormsError;
use crate::types::model::{build, Subject};
use crate::types::{csharp, xsd, ExportOptions};
use semreg_importers::{Format, ImportOptions};
use serde_json::{json, Value};

/// The task (and layout set) the form belongs to, as in Altinn's v9 app template.
pub const TASK: &str = "Task_1";

/// The three model files.
pub(super) fn model_files(schema: &Value, model: &str) -> Result<Vec<AppFile>, FormsError> {
    let mut altinn_schema = schema.clone();
    if let Value::Object(map) = &mut altinn_schema {
        map.insert("@xsdRootElement".into(), json!(model));
    }
    let root_iri = format!("urn:semreg:altinn-model:{model}");
    let bytes = serde_json::to_vec(schema).map_err(|e| FormsError::Unexportable(e.to_string()))?;
    let options = ImportOptions {
        base_iri: None,
        file_name: Some(format!("{model}.schema.json")),
        params: [("iri".to_owned(), root_iri.clone())].into(),
    };
    let batch = semreg_importers::import(Format::JsonSchema, &bytes, &options).map_err(|e| {
        FormsError::Unexportable(format!(
            "the service model's schema does not read as a model: {e}"
        ))
    })?;
    let graph = crate::types::graph::Graph::from_imported(&batch.resources);
    let mut export = build(&graph, &format!("{root_iri}#root"), Subject::Type, "nb");
    let Some(root) = export.root_type else {
        return Err(FormsError::Unexportable(
            "the schema has no root type".into(),
        ));
    };
    // The root type is the model: named as the data type, clear of any other type's name.
    for (i, ty) in export.types.iter_mut().enumerate() {
        if i != root && ty.name.eq_ignore_ascii_case(model) {
            ty.name = format!("{}_type", ty.name);
        }
    }
    export.types[root].name = model.to_owned();
    unanchor_patterns(&mut export);
    export.name = model.to_owned();
    let options = ExportOptions {
        // Code values as strings, as Altinn apps bind option components.
        enum_threshold: 0,
        ..ExportOptions::default()
    };
    let namespace = format!("{}.{model}", csharp::NAMESPACE);
    Ok(vec![
        AppFile::json(format!("App/models/{model}.schema.json"), &altinn_schema),
        AppFile::text(
            format!("App/models/{model}.xsd"),
            xsd::write(&export, &options),
        ),
        AppFile::text(
            format!("App/models/{model}.cs"),
            csharp::write_in(&export, &options, &namespace),
        ),
    ])
}

/// A JSON Schema pattern as the XSD facet it came from: XSD patterns are implicitly anchored
/// and know neither `^`/`$` anchors nor `(?:` groups, so `^(?:X)$` and `^X$` become `X`.
pub fn unanchored(pattern: &str) -> &str {
    if let Some(inner) = pattern
        .strip_prefix("^(?:")
        .and_then(|p| p.strip_suffix(")$"))
    {
        return inner;
    }
    match pattern.strip_prefix('^').and_then(|p| p.strip_suffix('$')) {
        Some(inner) if !inner.ends_with('\\') => inner,
        _ => pattern,
    }
}

fn unanchor(facets: &mut crate::types::model::Facets) {
    if let Some(pattern) = &facets.pattern {
        facets.pattern = Some(unanchored(pattern).to_owned());
    }
}

/// The facets of the schema read back carry JSON Schema's anchored patterns; both writers take
/// XSD patterns (the C# writer anchors them itself for `RegularExpression`).
fn unanchor_patterns(export: &mut crate::types::model::ExportModel) {
    use crate::types::model::{Body, Value as PropValue};
    for ty in &mut export.types {
        match &mut ty.body {
            Body::Simple(simple) => unanchor(&mut simple.facets),
            Body::Object(object) => {
                for prop in &mut object.props {
                    if let PropValue::Inline(simple) = &mut prop.value {
                        unanchor(&mut simple.facets);
                    }
                }
            }
        }
    }
}

/// `App/config/applicationmetadata.json`: the template's defaults, the app's id and title, and
/// the data type of the model (the part semreg owns when merging into an existing app).
pub(super) fn application_metadata(
    options: &AltinnOptions,
    app_name: &str,
    model: &str,
    title: &str,
) -> AppFile {
    let metadata = json!({
        "$schema": "https://altinncdn.no/toolkits/altinn-app-frontend/4/schemas/json/application/application-metadata.schema.v1.json",
        "id": format!("{}/{app_name}", options.org),
        "org": options.org,
        "title": {"nb": title, "nn": title, "en": title},
        "dataTypes": [
            {
                "id": "ref-data-as-pdf",
                "allowedContentTypes": ["application/pdf"],
                "maxCount": 0,
                "minCount": 0
            },
            data_type(model)
        ],
        "partyTypesAllowed": {
            "bankruptcyEstate": false,
            "organisation": false,
            "person": false,
            "subUnit": false
        },
        "autoDeleteOnProcessEnd": false
    });
    AppFile::json("App/config/applicationmetadata.json".to_owned(), &metadata)
}

/// The data type entry of the model (`classRef` = namespace and class of the C# file).
pub fn data_type(model: &str) -> Value {
    json!({
        "id": model,
        "allowedContentTypes": ["application/xml"],
        "appLogic": {
            "autoCreate": true,
            "classRef": format!("{}.{model}.{model}", csharp::NAMESPACE),
            "allowAnonymousOnStateless": false,
            "autoDeleteOnProcessEnd": false
        },
        "taskId": TASK,
        "maxCount": 1,
        "minCount": 1
    })
}

#[cfg(test)]
mod tests {
    use super::unanchored;

    #[test]
    fn json_schema_patterns_lose_their_anchors_for_the_xsd() {
        assert_eq!(unanchored("^(?:[0-9]{11})$"), "[0-9]{11}");
        assert_eq!(unanchored("^[A-Z]{2}$"), "[A-Z]{2}");
        assert_eq!(unanchored("[0-9]+"), "[0-9]+");
        assert_eq!(unanchored("^a\\$"), "^a\\$");
    }
}
