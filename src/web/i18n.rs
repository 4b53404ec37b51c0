//! The languages of the pages (nb, nn, en), which one a request gets, and every text the pages
//! show in each of them.
//!
//! The language is `?lang=` when given (and then remembered in a cookie), else the cookie, else
//! the best of `Accept-Language`, else nb. Texts are one [`Msg`] each, so a missing translation
//! is a compile error rather than an English word on a Norwegian page.

use axum::http::{header, HeaderMap};

/// The cookie that remembers a chosen language.
pub const COOKIE: &str = "semreg_lang";

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Norwegian Bokmål.
    Nb,
    /// Norwegian Nynorsk.
    Nn,
    /// English.
    En,
}

impl Lang {
    /// Every page language, in the order the switcher shows them.
    pub const ALL: [Lang; 3] = [Lang::Nb, Lang::Nn, Lang::En];

    /// The BCP 47 tag (`nb`, `nn`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Nn => "nn",
            Lang::En => "en",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Nb => "Bokmål",
            Lang::Nn => "Nynorsk",
            Lang::En => "English",
        }
    }

    /// A page language from a tag (`nb`, `nn`, `en`; `no` reads as nb; region subtags and
    /// case are ignored).
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "nb" | "no" => Some(Lang::Nb),
            "nn" => Some(Lang::Nn),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The text of a message in this language.
    pub fn t(self, msg: Msg) -> &'static str {
        let [nb, nn, en] = msg.texts();
        match self {
            Lang::Nb => nb,
            Lang::Nn => nn,
            Lang::En => en,
        }
    }

    /// The languages to try for a resource's text in this page language, best first.
    pub fn fallbacks(self) -> [&'static str; 5] {
        match self {
            Lang::Nb => ["nb", "no", "nn", "en", ""],
            Lang::Nn => ["nn", "nb", "no", "en", ""],
            Lang::En => ["en", "nb", "no", "nn", ""],
        }
    }
}

/// The language a request gets, and whether it was chosen in this request (`?lang=`), so the
/// answer sets the cookie.
pub fn negotiate(query_lang: Option<&str>, headers: &HeaderMap) -> (Lang, bool) {
    if let Some(lang) = query_lang.and_then(Lang::parse) {
        return (lang, true);
    }
    if let Some(lang) = cookie(headers).and_then(|c| Lang::parse(&c)) {
        return (lang, false);
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    (from_accept_language(accept).unwrap_or(Lang::Nb), false)
}

/// The value of our language cookie, if the request has it.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE).then(|| value.to_owned())
        })
}

/// The page language `Accept-Language` ranks highest (`q=0` excluded).
pub fn from_accept_language(accept: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let Some(lang) = parts.next().and_then(Lang::parse) else {
            continue;
        };
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// Every text of the pages. `texts()` gives it in nb, nn and en.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    SkipToContent,
    Tagline,
    Intro,
    SearchLabel,
    SearchPlaceholder,
    SearchButton,
    Language,
    MainNav,
    Home,
    Search,
    AllKinds,
    KindConcept,
    KindCollection,
    KindCodeList,
    KindType,
    KindModel,
    KindOther,
    Publisher,
    Status,
    Results,
    ResultsFor,
    ResultsAll,
    NoHits,
    NoHitsHelp,
    DidYouMean,
    TryOtherKinds,
    RemoveFilter,
    Filters,
    Pagination,
    Previous,
    Next,
    PageN,
    SearchUnavailable,
    StatusValid,
    StatusDraft,
    StatusDeprecated,
    StatusSuperseded,
    StatusRetired,
    InRegistry,
    Api,
    OtherLanguage,
    Codes,
    Versions,
    Changes,
    Correspondences,
    About,
    ValidOn,
    ShowCodes,
    FilterCodes,
    Code,
    Name,
    Level,
    ValidFrom,
    ValidTo,
    Parent,
    Download,
    Copy,
    Copied,
    RuntimeUrl,
    AltinnOptionsUrl,
    AltinnLibraryUrl,
    Identifier,
    Description,
    Version,
    CodeCount,
    NotValidToday,
    ListRetired,
    NoCodesOnDate,
    Tabs,
    UpdatedAt,
    Latest,
    ShowChildren,
    CodesShown,
    Clear,
    Date,
    Structure,
    TypesUsed,
    Skipped,
    UsedBy,
    Extends,
    Multiplicity,
    Restrictions,
    Validity,
    Subjects,
    Terms,
    Preferred,
    Admitted,
    Discouraged,
    Definitions,
    TargetGroup,
    Source,
    Examples,
    Remarks,
    Relations,
    Member,
    OwnPage,
    KindServiceModel,
    Compose,
    ComposeNav,
    ComposeIntro,
    ModelName,
    AliasOptional,
    FindType,
    AddType,
    Fields,
    FieldName,
    SourceApi,
    NoSource,
    Remove,
    NoFields,
    ShowResult,
    Result,
    UiHints,
    Mapping,
    Path,
    Component,
    Required,
    Label,
    Transform,
    Target,
    Yes,
    No,
    Save,
    SaveHelp,
    Token,
    Saved,
    SavedModel,
    AltinnApp,
    Questionnaire,
    FromCommandLine,
    NeedName,
    CannotCompose,
    NotSaved,
    Err400,
    Err401,
    Err403,
    Err404,
    Err409,
    Err412,
    Err413,
    Err422,
    Err503,
    ErrOther,
    ApiAnswer,
    SourcesAndRuns,
    SourcesPublic,
    HarvestSources,
    LastRuns,
    Run,
    Harvest,
    Push,
    Started,
    Ended,
    Created,
    Changed,
    Unchanged,
    Reactivated,
    /// A draft made public.
    Published,
    Conflicts,
    Errors,
    NoRuns,
    RunRunning,
    RunDone,
    RunError,
    RunUnchanged,
    DryRun,
    DryRunHelp,
    Catalog,
    ChooseFile,
    Format,
    FormatAuto,
    Mode,
    ModeReplace,
    ModeMerge,
    ShowDiff,
    DiffTitle,
    Outcome,
    ChangedPredicates,
    NothingStored,
    Warnings,
    DryRunFailed,
    CorrespondenceWith,
    NoCorrespondences,
    ThisList,
    OtherList,
    Associations,
}

impl Msg {
    /// The text in nb, nn and en.
    pub fn texts(self) -> [&'static str; 3] {
        use Msg::*;
        match self {
            SkipToContent => ["Hopp til hovedinnhold", "Hopp til hovudinnhald", "Skip to main content"],
            Tagline => [
                "Gjenbrukbare byggeklosser for digitale offentlige tjenester",
                "Gjenbrukbare byggeklossar for digitale offentlege tenester",
                "Reusable building blocks for digital public services",
            ],
            Intro => [
                "Finn begreper, kodelister, typer og informasjonsmodeller, og ta dem i bruk i din tjeneste.",
                "Finn omgrep, kodelister, typar og informasjonsmodellar, og ta dei i bruk i tenesta di.",
                "Find concepts, code lists, types and information models, and put them to use in your service.",
            ],
            SearchLabel => ["Søk i registeret", "Søk i registeret", "Search the registry"],
            SearchPlaceholder => ["person, adresse, kommune", "person, adresse, kommune", "person, address, municipality"],
            SearchButton => ["Søk", "Søk", "Search"],
            Language => ["Språk", "Språk", "Language"],
            MainNav => ["Hovedmeny", "Hovudmeny", "Main menu"],
            Home => ["Forside", "Framside", "Home"],
            Search => ["Søk", "Søk", "Search"],
            AllKinds => ["Alle", "Alle", "All"],
            KindConcept => ["Begrep", "Omgrep", "Concept"],
            KindCollection => ["Begrepssamling", "Omgrepssamling", "Collection"],
            KindCodeList => ["Kodeliste", "Kodeliste", "Code list"],
            KindType => ["Type", "Type", "Type"],
            KindModel => ["Informasjonsmodell", "Informasjonsmodell", "Information model"],
            KindOther => ["Annet", "Anna", "Other"],
            Publisher => ["Utgiver", "Utgjevar", "Publisher"],
            Status => ["Status", "Status", "Status"],
            Results => ["Søkeresultater", "Søkjeresultat", "Search results"],
            ResultsFor => ["treff for", "treff for", "results for"],
            ResultsAll => ["byggeklosser i registeret", "byggeklossar i registeret", "building blocks in the registry"],
            NoHits => ["Ingen treff", "Ingen treff", "No results"],
            NoHitsHelp => [
                "Prøv et kortere eller mer generelt ord, eller fjern et filter.",
                "Prøv eit kortare eller meir generelt ord, eller fjern eit filter.",
                "Try a shorter or more general word, or remove a filter.",
            ],
            DidYouMean => ["Mente du", "Meinte du", "Did you mean"],
            TryOtherKinds => ["Treff i andre typer byggeklosser", "Treff i andre typar byggeklossar", "Results among other kinds"],
            RemoveFilter => ["Fjern filter", "Fjern filter", "Remove filter"],
            Filters => ["Filtre", "Filter", "Filters"],
            Pagination => ["Sider", "Sider", "Pages"],
            Previous => ["Forrige", "Førre", "Previous"],
            Next => ["Neste", "Neste", "Next"],
            PageN => ["Side", "Side", "Page"],
            SearchUnavailable => [
                "Søket er ikke tilgjengelig akkurat nå.",
                "Søket er ikkje tilgjengeleg akkurat no.",
                "Search is unavailable right now.",
            ],
            StatusValid => ["Gyldig", "Gyldig", "Valid"],
            StatusDraft => ["Utkast", "Utkast", "Draft"],
            StatusDeprecated => ["Frarådet", "Frårådd", "Deprecated"],
            StatusSuperseded => ["Erstattet", "Erstatta", "Superseded"],
            StatusRetired => ["Utgått", "Utgått", "Retired"],
            InRegistry => ["I registeret", "I registeret", "In the registry"],
            Api => ["API", "API", "API"],
            OtherLanguage => ["på et annet språk", "på eit anna språk", "in another language"],
            Codes => ["Koder", "Kodar", "Codes"],
            Versions => ["Versjoner", "Versjonar", "Versions"],
            Changes => ["Endringer", "Endringar", "Changes"],
            Correspondences => ["Korrespondanser", "Korrespondansar", "Correspondences"],
            About => ["Om", "Om", "About"],
            ValidOn => ["Gyldig på dato", "Gyldig på dato", "Valid on"],
            ShowCodes => ["Vis koder", "Vis kodar", "Show codes"],
            FilterCodes => ["Filtrer på kode eller navn", "Filtrer på kode eller namn", "Filter by code or name"],
            Code => ["Kode", "Kode", "Code"],
            Name => ["Navn", "Namn", "Name"],
            Level => ["Nivå", "Nivå", "Level"],
            ValidFrom => ["Gyldig fra", "Gyldig frå", "Valid from"],
            ValidTo => ["Gyldig til", "Gyldig til", "Valid to"],
            Parent => ["Overordnet", "Overordna", "Parent"],
            Download => ["Last ned", "Last ned", "Download"],
            Copy => ["Kopier", "Kopier", "Copy"],
            Copied => ["Kopiert", "Kopiert", "Copied"],
            RuntimeUrl => ["Adresse for kjøretid", "Adresse for køyretid", "Runtime URL"],
            AltinnOptionsUrl => ["Altinn-kodeliste (options)", "Altinn-kodeliste (options)", "Altinn options URL"],
            AltinnLibraryUrl => ["Altinn-kodelistebibliotek", "Altinn-kodelistebibliotek", "Altinn library URL"],
            Identifier => ["Identifikator", "Identifikator", "Identifier"],
            Description => ["Beskrivelse", "Skildring", "Description"],
            Version => ["Versjon", "Versjon", "Version"],
            CodeCount => ["koder", "kodar", "codes"],
            NotValidToday => [
                "Denne kodelisten er ikke gyldig i dag.",
                "Denne kodelista er ikkje gyldig i dag.",
                "This code list is not valid today.",
            ],
            ListRetired => [
                "Denne kodelisten er utgått. Den kan fortsatt hentes, men bør ikke tas i bruk.",
                "Denne kodelista er utgått. Ho kan framleis hentast, men bør ikkje takast i bruk.",
                "This code list is retired. It can still be fetched but should not be taken into use.",
            ],
            NoCodesOnDate => [
                "Ingen koder er gyldige på denne datoen.",
                "Ingen kodar er gyldige på denne datoen.",
                "No codes are valid on this date.",
            ],
            Tabs => ["Faner", "Faner", "Tabs"],
            UpdatedAt => ["Oppdatert", "Oppdatert", "Updated"],
            Latest => ["gjeldende", "gjeldande", "current"],
            ShowChildren => ["underordnede", "underordna", "children"],
            CodesShown => ["koder vises", "kodar blir viste", "codes shown"],
            Clear => ["Nullstill", "Nullstill", "Clear"],
            Date => ["Dato", "Dato", "Date"],
            Structure => ["Struktur", "Struktur", "Structure"],
            TypesUsed => ["Typer som brukes", "Typar som blir brukte", "Types used"],
            Skipped => ["Utelatt", "Utelate", "Left out"],
            UsedBy => ["Brukes av", "Blir brukt av", "Used by"],
            Extends => ["Utvider", "Utvidar", "Extends"],
            Multiplicity => ["Antall", "Tal", "Multiplicity"],
            Restrictions => ["Begrensninger", "Avgrensingar", "Restrictions"],
            Validity => ["Gyldighet", "Gyldigheit", "Validity"],
            Subjects => ["Fagområde", "Fagområde", "Subject area"],
            Terms => ["Termer", "Termar", "Terms"],
            Preferred => ["Anbefalt term", "Tilrådd term", "Preferred term"],
            Admitted => ["Tillatt term", "Tillaten term", "Admitted term"],
            Discouraged => ["Frarådet term", "Frårådd term", "Discouraged term"],
            Definitions => ["Definisjoner", "Definisjonar", "Definitions"],
            TargetGroup => ["Målgruppe", "Målgruppe", "Target group"],
            Source => ["Kilde", "Kjelde", "Source"],
            Examples => ["Eksempler", "Døme", "Examples"],
            Remarks => ["Merknader", "Merknader", "Remarks"],
            Relations => ["Relasjoner", "Relasjonar", "Relations"],
            Member => ["medlem", "medlem", "member"],
            OwnPage => ["Typens egen side", "Typen si eiga side", "The type's own page"],
            KindServiceModel => ["Tjenestemodell", "Tenestemodell", "Service model"],
            Compose => ["Sett sammen en tjenestemodell", "Set saman ein tenestemodell", "Compose a service model"],
            ComposeNav => ["Sett sammen", "Set saman", "Compose"],
            ComposeIntro => ["Hent typer fra registeret, gi feltene navn, velg hvilket API som fyller dem, og se JSON Schema, UI-hint og mapping før du lagrer.", "Hent typar frå registeret, gi felta namn, vel kva API som fyller dei, og sjå JSON Schema, UI-hint og mapping før du lagrar.", "Pull types from the registry, name the fields, choose the API that fills them, and see the JSON Schema, UI hints and mapping before you save."],
            ModelName => ["Navn på tjenestemodellen", "Namn på tenestemodellen", "Service model name"],
            AliasOptional => ["Alias (valgfritt)", "Alias (valfritt)", "Alias (optional)"],
            FindType => ["Finn en type", "Finn ein type", "Find a type"],
            AddType => ["Legg til", "Legg til", "Add"],
            Fields => ["Felter", "Felt", "Fields"],
            FieldName => ["Feltnavn", "Feltnamn", "Field name"],
            SourceApi => ["Kilde-API (mapping)", "Kjelde-API (mapping)", "Source API (mapping)"],
            NoSource => ["Ingen", "Ingen", "None"],
            Remove => ["Fjern", "Fjern", "Remove"],
            NoFields => ["Ingen felter ennå: finn en type og legg den til.", "Ingen felt enno: finn ein type og legg han til.", "No fields yet: find a type and add it."],
            ShowResult => ["Vis resultat", "Vis resultat", "Show result"],
            Result => ["Resultat", "Resultat", "Result"],
            UiHints => ["UI-hint", "UI-hint", "UI hints"],
            Mapping => ["Mapping", "Mapping", "Mapping"],
            Path => ["Sti", "Sti", "Path"],
            Component => ["Komponent", "Komponent", "Component"],
            Required => ["Påkrevd", "Påkravd", "Required"],
            Label => ["Ledetekst", "Leietekst", "Label"],
            Transform => ["Transformasjon", "Transformasjon", "Transform"],
            Target => ["Mål", "Mål", "Target"],
            Yes => ["ja", "ja", "yes"],
            No => ["nei", "nei", "no"],
            Save => ["Lagre", "Lagre", "Save"],
            SaveHelp => ["Lagrer tjenestemodellen slik den er vist over, som utgiverens. Tokenet sendes bare med dette skjemaet (aldri i adressen), og huskes bare i denne fanen.", "Lagrar tenestemodellen slik han er vist over, som utgjevaren sin. Tokenet blir berre sendt med dette skjemaet (aldri i adressa), og blir berre hugsa i denne fana.", "Saves the service model as shown above, as the publisher's. The token is sent only with this form (never in the address) and remembered only in this tab."],
            Token => ["Utgivertoken", "Utgjevartoken", "Publisher token"],
            Saved => ["Tjenestemodellen er lagret", "Tenestemodellen er lagra", "The service model is saved"],
            SavedModel => ["Tjenestemodellen (JSON)", "Tenestemodellen (JSON)", "The service model (JSON)"],
            AltinnApp => ["Altinn-app (zip)", "Altinn-app (zip)", "Altinn app (zip)"],
            Questionnaire => ["FHIR Questionnaire", "FHIR Questionnaire", "FHIR Questionnaire"],
            FromCommandLine => ["Fra kommandolinjen", "Frå kommandolinja", "From the command line"],
            NeedName => ["Gi modellen et navn og legg til minst ett felt for å se resultatet.", "Gi modellen eit namn og legg til minst eitt felt for å sjå resultatet.", "Give the model a name and add at least one field to see the result."],
            CannotCompose => ["Tjenestemodellen kan ikke settes sammen", "Tenestemodellen kan ikkje setjast saman", "The service model cannot be composed"],
            NotSaved => ["Tjenestemodellen ble ikke lagret", "Tenestemodellen vart ikkje lagra", "The service model was not saved"],
            Err400 => ["Forespørselen er ikke gyldig.", "Førespurnaden er ikkje gyldig.", "The request is not valid."],
            Err401 => ["Tokenet mangler eller er ugyldig.", "Tokenet manglar eller er ugyldig.", "The token is missing or not valid."],
            Err403 => ["Tokenet har ikke lov til dette (det tilhører en annen utgiver, eller er et admin-token).", "Tokenet har ikkje lov til dette (det høyrer til ein annan utgjevar, eller er eit admin-token).", "The token may not do this (it belongs to another publisher, or is an admin token)."],
            Err404 => ["Noe den viser til, finnes ikke.", "Noko han viser til, finst ikkje.", "Something it refers to does not exist."],
            Err409 => ["Et alias er allerede i bruk av en annen ressurs.", "Eit alias er alt i bruk av ein annan ressurs.", "An alias is already another resource's."],
            Err412 => ["Katalogen er endret siden den ble lest.", "Katalogen er endra sidan han vart lesen.", "The catalog changed since it was read."],
            Err413 => ["Innholdet er for stort.", "Innhaldet er for stort.", "The content is too large."],
            Err422 => ["Innholdet er ikke gyldig.", "Innhaldet er ikkje gyldig.", "The content is not valid."],
            Err503 => ["Tjenesten er ikke klar; prøv igjen om litt.", "Tenesta er ikkje klar; prøv igjen om litt.", "The service is not ready; try again shortly."],
            ErrOther => ["Noe gikk galt hos oss; prøv igjen om litt.", "Noko gjekk gale hos oss; prøv igjen om litt.", "Something went wrong on our side; try again shortly."],
            ApiAnswer => ["Svar fra API-et", "Svar frå API-et", "The API's answer"],
            SourcesAndRuns => ["Kilder og kjøringer", "Kjelder og køyringar", "Sources and runs"],
            SourcesPublic => ["Her vises bare det som er offentlig: antall kilder, og tidspunkt, status og tall for kjøringene. Kildenes adresser, innstillinger og feilmeldinger vises bare i API-et, med utgiverens eller en administrators token.", "Her blir berre det som er ope vist: talet på kjelder, og tidspunkt, status og tal for køyringane. Adressene, innstillingane og feilmeldingane til kjeldene blir berre viste i API-et, med tokenet til utgjevaren eller ein administrator.", "Only what is public is shown here: the number of sources, and the times, status and counts of runs. Source addresses, settings and error messages are shown only in the API, to the publisher's or an admin token."],
            HarvestSources => ["Innhøstingskilder", "Innhaustingskjelder", "Harvest sources"],
            LastRuns => ["Siste kjøringer", "Siste køyringar", "Latest runs"],
            Run => ["Kjøring", "Køyring", "Run"],
            Harvest => ["Innhøsting", "Innhausting", "Harvest"],
            Push => ["Opplasting", "Opplasting", "Push"],
            Started => ["Startet", "Starta", "Started"],
            Ended => ["Ferdig", "Ferdig", "Ended"],
            Created => ["Nye", "Nye", "Created"],
            Changed => ["Endret", "Endra", "Changed"],
            Unchanged => ["Uendret", "Uendra", "Unchanged"],
            Reactivated => ["Gjenopptatt", "Teke opp att", "Reactivated"],
            Published => ["Publisert", "Publisert", "Published"],
            Conflicts => ["Konflikter", "Konfliktar", "Conflicts"],
            Errors => ["Feil", "Feil", "Errors"],
            NoRuns => ["Ingen kjøringer ennå.", "Ingen køyringar enno.", "No runs yet."],
            RunRunning => ["pågår", "pågår", "running"],
            RunDone => ["fullført", "fullført", "done"],
            RunError => ["feilet", "feila", "failed"],
            RunUnchanged => ["uendret", "uendra", "unchanged"],
            DryRun => ["Prøv en opplasting (tørrkjøring)", "Prøv ei opplasting (tørrkøyring)", "Try a push (dry run)"],
            DryRunHelp => ["Lim inn katalogen (eller velg en fil), så vises hva en opplasting ville endret. Ingenting lagres.", "Lim inn katalogen (eller vel ei fil), så blir det vist kva ei opplasting ville endra. Ingenting blir lagra.", "Paste the catalog (or choose a file) to see what a push would change. Nothing is stored."],
            Catalog => ["Katalog", "Katalog", "Catalog"],
            ChooseFile => ["Velg fil", "Vel fil", "Choose a file"],
            Format => ["Format", "Format", "Format"],
            FormatAuto => ["Finn ut selv", "Finn ut sjølv", "Detect"],
            Mode => ["Hvordan", "Korleis", "How"],
            ModeReplace => ["Erstatt hele katalogen (PUT)", "Erstatt heile katalogen (PUT)", "Replace the whole catalog (PUT)"],
            ModeMerge => ["Slå sammen med katalogen (POST)", "Slå saman med katalogen (POST)", "Merge into the catalog (POST)"],
            ShowDiff => ["Vis endringene", "Vis endringane", "Show the changes"],
            DiffTitle => ["Dette ville opplastingen gjort", "Dette ville opplastinga gjort", "What the push would do"],
            Outcome => ["Utfall", "Utfall", "Outcome"],
            ChangedPredicates => ["Endrede egenskaper", "Endra eigenskapar", "Changed properties"],
            NothingStored => ["Ingenting er lagret.", "Ingenting er lagra.", "Nothing was stored."],
            Warnings => ["Advarsler", "Åtvaringar", "Warnings"],
            DryRunFailed => ["Tørrkjøringen feilet", "Tørrkøyringa feila", "The dry run failed"],
            CorrespondenceWith => ["Korrespondanse med", "Korrespondanse med", "Correspondence with"],
            NoCorrespondences => ["Ingen korrespondanser med andre lister.", "Ingen korrespondansar med andre lister.", "No correspondences with other lists."],
            ThisList => ["Denne listen", "Denne lista", "This list"],
            OtherList => ["Den andre listen", "Den andre lista", "The other list"],
            Associations => ["koblinger", "koplingar", "associations"],
        }
    }
}

/// The name of a resource kind in a language.
pub fn kind_name(lang: Lang, kind: &str) -> &'static str {
    lang.t(match kind {
        "concept" => Msg::KindConcept,
        "collection" => Msg::KindCollection,
        "code-list" => Msg::KindCodeList,
        "type" => Msg::KindType,
        "model" => Msg::KindModel,
        "service-model" => Msg::KindServiceModel,
        _ => Msg::KindOther,
    })
}

/// What an error status means, for a page that shows an API error in its language.
pub fn error_meaning(lang: Lang, status: u16) -> &'static str {
    lang.t(match status {
        400 => Msg::Err400,
        401 => Msg::Err401,
        403 => Msg::Err403,
        404 => Msg::Err404,
        409 => Msg::Err409,
        412 => Msg::Err412,
        413 => Msg::Err413,
        422 => Msg::Err422,
        503 => Msg::Err503,
        _ => Msg::ErrOther,
    })
}

/// The name of a status in a language (unknown statuses as given).
pub fn status_name(lang: Lang, status: &str) -> &str {
    match status {
        "valid" => lang.t(Msg::StatusValid),
        "draft" => lang.t(Msg::StatusDraft),
        "deprecated" => lang.t(Msg::StatusDeprecated),
        "superseded" => lang.t(Msg::StatusSuperseded),
        "retired" => lang.t(Msg::StatusRetired),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_beats_cookie_beats_accept_language() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9".parse().unwrap());
        assert_eq!(negotiate(None, &headers), (Lang::En, false));
        headers.insert(header::COOKIE, "a=b; semreg_lang=nn".parse().unwrap());
        assert_eq!(negotiate(None, &headers), (Lang::Nn, false));
        assert_eq!(negotiate(Some("nb"), &headers), (Lang::Nb, true));
        assert_eq!(negotiate(Some("xx"), &headers), (Lang::Nn, false));
    }

    #[test]
    fn accept_language_takes_the_highest_quality_known_language() {
        assert_eq!(
            from_accept_language("de, nn;q=0.5, en;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(from_accept_language("no"), Some(Lang::Nb));
        assert_eq!(from_accept_language("en;q=0, de"), None);
        assert_eq!(from_accept_language(""), None);
    }

    #[test]
    fn kinds_and_statuses_have_names_in_every_language() {
        for lang in Lang::ALL {
            assert!(!kind_name(lang, "code-list").is_empty());
            assert_ne!(status_name(lang, "retired"), "retired");
        }
        assert_eq!(kind_name(Lang::Nn, "concept"), "Omgrep");
    }
}
