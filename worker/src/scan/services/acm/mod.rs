//! ACM: a region's certificates of every key type, each described (type, status, key
//! algorithm, validity, what uses it, transparency logging). Never their bodies or
//! private keys: Vigil does not call `GetCertificate` or `ExportCertificate`.

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::{Reader, utc};

/// ACM in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "acm",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Read at every scan: expiry comes with time, not with a write call, and what uses a
    // certificate changes through other services' calls (a listener, a distribution). A
    // re-check still finds ACM by its event source, `acm.amazonaws.com`, through its name.
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let certificates = read(r).await;
    fill(move |region: &mut RegionInventory| region.acm_certificates = certificates)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::AcmCertificate>> {
    use aws_sdk_acm::types::{Filters, KeyAlgorithm};

    let c = aws_sdk_acm::Client::new(r.config);
    // Without a key-type filter ListCertificates answers RSA_1024 and RSA_2048 only.
    let every_key_type = Filters::builder()
        .set_key_types(Some(
            KeyAlgorithm::values()
                .iter()
                .map(|k| KeyAlgorithm::from(*k))
                .collect(),
        ))
        .build();
    let listed: Vec<_> = r.ok(
        "ListCertificates",
        c.list_certificates()
            .includes(every_key_type)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::with_capacity(listed.len());
    for s in listed {
        let Some(arn) = s.certificate_arn() else {
            continue;
        };
        let details = r
            .ok(
                "DescribeCertificate",
                c.describe_certificate().certificate_arn(arn).send().await,
            )
            .and_then(|d| d.certificate().map(details));
        out.push(m::AcmCertificate {
            id: arn.rsplit('/').next().unwrap_or(arn).to_owned(),
            arn: arn.to_owned(),
            domain_name: s.domain_name().map(str::to_owned),
            details,
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Some(out)
}

// The transparency preference is deprecated (ACM ended the opt-out on 12 June 2026), but
// certificates issued before then still carry it and are still unlogged.
#[allow(deprecated)]
fn details(d: &aws_sdk_acm::types::CertificateDetail) -> m::AcmCertificateDetails {
    m::AcmCertificateDetails {
        certificate_type: d.r#type().map(|t| t.as_str().to_owned()),
        status: d.status().map(|s| s.as_str().to_owned()),
        key_algorithm: d.key_algorithm().map(|k| k.as_str().to_owned()),
        subject_alternative_names: d.subject_alternative_names().to_vec(),
        issuer: d.issuer().map(str::to_owned),
        not_before: d.not_before().and_then(utc),
        not_after: d.not_after().and_then(utc),
        in_use_by: d.in_use_by().to_vec(),
        transparency_logging: d
            .options()
            .and_then(|o| o.certificate_transparency_logging_preference())
            .map(|p| p.as_str().to_owned()),
        renewal_eligibility: d.renewal_eligibility().map(|e| e.as_str().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn acm_calls_map_to_acm_which_every_scan_reads() {
        use crate::scan::recheck::service_of;
        assert_eq!(service_of("acm.amazonaws.com"), Some("acm"));
        assert!(!super::super::skippable_sources().contains(&"acm.amazonaws.com"));
    }
}
