//! What templates see of the register: serializable views of centers, certificates, lists
//! and changes, with names in the page's language and links built for the page's language.

use chrono::NaiveDate;
use serde::Serialize;

use super::urls::Urls;
use crate::register::{Cause, CenterId, CertificateId, Lang, Registry, Status, Transition};

/// A link to a record.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub name: String,
    /// The language of `name` when it is not the page's (a name the register has in one
    /// language only), for its `lang` attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<&'static str>,
    pub url: String,
}

/// A center in a list.
#[derive(Debug, Clone, Serialize)]
pub struct CenterItem {
    /// Which center (not shown: for the fingerprints of the pages that list it).
    #[serde(skip)]
    pub id: CenterId,
    pub bin: String,
    pub name: String,
    /// As [`Link::lang`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_lang: Option<&'static str>,
    pub url: String,
    pub region: Link,
    pub city: Option<String>,
    pub status: Status,
}

/// A dated change of a certificate's status.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    /// The certificate's center (not shown: for the fingerprints of the pages that list it).
    #[serde(skip)]
    pub center_id: CenterId,
    pub date: NaiveDate,
    pub status: Status,
    /// `issued`, `revoked`, `resumed`, `terminated`, `reissued` or `expired`.
    pub change: &'static str,
    pub certificate: Link,
    pub center: Link,
    pub reason: String,
    /// The languages of `reason` and `decision` when they are not the page's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_lang: Option<&'static str>,
    pub decision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_lang: Option<&'static str>,
    /// For a re-issue: the successor.
    pub successor: Option<Link>,
}

/// A profession covered by a certificate.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeView {
    pub code: String,
    pub name: String,
    /// As [`Link::lang`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_lang: Option<&'static str>,
    pub url: String,
    /// Compact levels, e.g. `3-5` or `3;5-6`; empty when not stated.
    pub levels: String,
}

/// A certificate in a center's list.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateItem {
    pub number: String,
    pub url: String,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: Status,
    pub scope: Vec<ScopeView>,
}

/// A center's page.
#[derive(Debug, Clone, Serialize)]
pub struct CenterView {
    pub bin: String,
    pub name: String,
    /// As [`Link::lang`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_lang: Option<&'static str>,
    pub other_names: Vec<String>,
    pub region: Link,
    pub city: Option<String>,
    pub address: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// The website as a link target (percent-encoded where the register's text is not).
    pub website_href: Option<String>,
    pub status: Status,
    /// The certificate that decides the center's status.
    pub deciding: Option<Link>,
    pub certificates: Vec<CertificateItem>,
    /// Every profession in the scope of any of its certificates, once each, by code.
    pub professions: Vec<ScopeView>,
    pub history: Vec<ChangeView>,
    pub api_url: String,
}

/// A recorded status event as published.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub date: NaiveDate,
    pub action: &'static str,
    pub reason: String,
    pub decision: Option<String>,
}

/// A certificate's verification page.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateView {
    pub number: String,
    pub slug: String,
    pub url: String,
    pub permalink: String,
    pub status: Status,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub valid_until_given: bool,
    pub agreement_number: Option<String>,
    pub agreement_date: Option<NaiveDate>,
    pub holder: CenterItem,
    pub scope: Vec<ScopeView>,
    pub history: Vec<ChangeView>,
    pub events: Vec<EventView>,
    pub predecessor: Option<Link>,
    pub successor: Option<Link>,
    pub api_url: String,
}

/// Builds views for one language.
pub struct Views<'a> {
    pub registry: &'a Registry,
    pub urls: &'a Urls,
    pub lang: Lang,
    pub as_of: NaiveDate,
}

/// The page of a profession under `professions/`: the slug of its code.
pub fn profession_page(registry: &Registry, profession: usize) -> String {
    format!(
        "professions/{}/",
        crate::register::ident::slug(&registry.professions[profession].code)
    )
}

impl Views<'_> {
    fn link(&self, page: &str) -> String {
        self.urls.link(Some(self.lang), page)
    }

    /// The code of `lang` when it is known and not the page's.
    fn other_lang(&self, lang: Option<Lang>) -> Option<&'static str> {
        lang.filter(|&l| l != self.lang).map(Lang::code)
    }

    pub fn center_link(&self, id: CenterId) -> Link {
        let center = &self.registry.centers[id];
        let (name, lang) = center.name.get_with_lang(self.lang);
        Link {
            name: name.to_owned(),
            lang: self.other_lang(lang),
            url: self.link(&format!("centers/{}/", center.bin)),
        }
    }

    pub fn certificate_link(&self, id: CertificateId) -> Link {
        let certificate = &self.registry.certificates[id];
        Link {
            name: certificate.number.clone(),
            lang: None,
            url: self.link(&format!("certificates/{}/", certificate.slug)),
        }
    }

    pub fn region_link(&self, id: usize) -> Link {
        let region = &self.registry.regions[id];
        let (name, lang) = region.name.get_with_lang(self.lang);
        Link {
            name: name.to_owned(),
            lang: self.other_lang(lang),
            url: self.link(&format!("regions/{}/", region.code)),
        }
    }

    pub fn center_item(&self, id: CenterId) -> CenterItem {
        let center = &self.registry.centers[id];
        let link = self.center_link(id);
        CenterItem {
            id,
            bin: center.bin.to_string(),
            name: link.name,
            name_lang: link.lang,
            url: link.url,
            region: self.region_link(center.region),
            city: center.city.clone(),
            status: self.registry.center_status(id, self.as_of).0,
        }
    }

    pub fn change(&self, t: &Transition) -> ChangeView {
        let certificate = &self.registry.certificates[t.certificate];
        let event = self.registry.event_of(t);
        let (reason, reason_lang) = event.map_or(("", None), |e| e.reason.get_with_lang(self.lang));
        ChangeView {
            center_id: certificate.center,
            date: t.date,
            status: t.to,
            change: self.registry.change_name(t),
            certificate: self.certificate_link(t.certificate),
            center: self.center_link(certificate.center),
            reason: reason.to_owned(),
            reason_lang: self.other_lang(reason_lang),
            decision: event.and_then(|e| e.decision.clone()),
            decision_lang: self.other_lang(
                event
                    .and_then(|e| e.decision.as_deref())
                    .and_then(Lang::of_letters),
            ),
            successor: match t.cause {
                Cause::Reissued { successor } => Some(self.certificate_link(successor)),
                _ => None,
            },
        }
    }

    /// The changes of some certificates up to the build date, oldest first.
    fn history(&self, certificates: &[CertificateId]) -> Vec<ChangeView> {
        let mut changes: Vec<Transition> = certificates
            .iter()
            .flat_map(|&id| self.registry.certificate_history(id))
            .filter(|t| t.date <= self.as_of)
            .collect();
        changes.sort_by_key(|t| (t.date, t.certificate));
        changes.iter().map(|t| self.change(t)).collect()
    }

    pub fn scope(&self, id: CertificateId) -> Vec<ScopeView> {
        self.registry.certificates[id]
            .scope
            .iter()
            .map(|item| {
                let profession = &self.registry.professions[item.profession];
                let (name, lang) = profession.name.get_with_lang(self.lang);
                ScopeView {
                    code: profession.code.clone(),
                    name: name.to_owned(),
                    name_lang: self.other_lang(lang),
                    url: self.link(&profession_page(self.registry, item.profession)),
                    levels: item.levels.to_string(),
                }
            })
            .collect()
    }

    pub fn center(&self, id: CenterId) -> CenterView {
        let center = &self.registry.centers[id];
        let (name, name_lang) = center.name.get_with_lang(self.lang);
        let (name, name_lang) = (name.to_owned(), self.other_lang(name_lang));
        let mut other_names: Vec<String> = Lang::ALL
            .into_iter()
            .filter_map(|l| center.name.in_lang(l))
            .filter(|n| *n != name)
            .map(str::to_owned)
            .collect();
        other_names.dedup();
        let (status, deciding) = self.registry.center_status(id, self.as_of);
        let mut professions: Vec<ScopeView> = center
            .certificates
            .iter()
            .flat_map(|&c| self.scope(c))
            .collect();
        professions.sort_by(|a, b| a.code.cmp(&b.code));
        professions.dedup_by(|a, b| a.code == b.code);
        CenterView {
            bin: center.bin.to_string(),
            name,
            name_lang,
            other_names,
            region: self.region_link(center.region),
            city: center.city.clone(),
            address: center.address.get(self.lang).to_owned(),
            phone: center.phone.clone(),
            email: center.email.clone(),
            website: center.website.clone(),
            website_href: center
                .website
                .as_deref()
                .and_then(|w| url::Url::parse(w).ok())
                .map(String::from),
            status,
            deciding: deciding.map(|c| self.certificate_link(c)),
            certificates: center
                .certificates
                .iter()
                .rev()
                .map(|&c| {
                    let certificate = &self.registry.certificates[c];
                    CertificateItem {
                        number: certificate.number.clone(),
                        url: self.certificate_link(c).url,
                        issued_on: certificate.issued_on,
                        valid_until: certificate.valid_until,
                        status: self.registry.certificate_status(c, self.as_of),
                        scope: self.scope(c),
                    }
                })
                .collect(),
            professions,
            history: self.history(&center.certificates),
            api_url: self
                .urls
                .link(None, &format!("api/centers/{}.json", center.bin)),
        }
    }

    pub fn certificate(&self, id: CertificateId) -> CertificateView {
        let certificate = &self.registry.certificates[id];
        let link = self.certificate_link(id);
        CertificateView {
            number: certificate.number.clone(),
            slug: certificate.slug.clone(),
            url: link.url,
            permalink: self.urls.permalink(
                Some(self.lang),
                &format!("certificates/{}/", certificate.slug),
            ),
            status: self.registry.certificate_status(id, self.as_of),
            issued_on: certificate.issued_on,
            valid_until: certificate.valid_until,
            valid_until_given: certificate.valid_until_given,
            agreement_number: certificate.agreement_number.clone(),
            agreement_date: certificate.agreement_date,
            holder: self.center_item(certificate.center),
            scope: self.scope(id),
            history: self.history(&[id]),
            events: self
                .registry
                .events(id)
                .iter()
                .map(|e| EventView {
                    date: e.date,
                    action: e.action.as_str(),
                    reason: e.reason.get(self.lang).to_owned(),
                    decision: e.decision.clone(),
                })
                .collect(),
            predecessor: certificate.replaces.map(|p| self.certificate_link(p)),
            successor: certificate.replaced_by.map(|s| self.certificate_link(s)),
            api_url: self
                .urls
                .link(None, &format!("api/certificates/{}.json", certificate.slug)),
        }
    }
}
