//! The regions a connection is watched in: the customer's list, checked for shape, and
//! applied to the regions the account has enabled.

/// Most regions a list may name (AWS has about 35; the column allows this many).
pub const MAX_REGIONS: usize = 64;

/// Whether `name` has the shape of an AWS region name: `us-east-1`, `us-gov-west-1`,
/// `ap-southeast-2`, `cn-northwest-1` (a two-letter prefix, words, a number).
fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let [prefix, words @ .., number] = parts.as_slice() else {
        return false;
    };
    prefix.len() == 2
        && prefix.bytes().all(|b| b.is_ascii_lowercase())
        && !words.is_empty()
        && words
            .iter()
            .all(|w| !w.is_empty() && w.len() <= 16 && w.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a customer's region list: each a region name, at least one, at most
/// [`MAX_REGIONS`]; duplicates are dropped and the list sorted. The error names the
/// offending entry.
pub fn parse_list(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.is_empty() {
        return Err(
            "regions must name at least one region, or be null for every region the \
                    account has enabled"
                .into(),
        );
    }
    let mut out = Vec::with_capacity(raw.len());
    for r in raw {
        let r = r.trim();
        if !is_region_name(r) {
            let shown: String = r.chars().take(40).collect();
            return Err(format!(
                "regions: {shown:?} is not an AWS region name (e.g. eu-west-1)"
            ));
        }
        out.push(r.to_owned());
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_REGIONS {
        return Err(format!("regions may name at most {MAX_REGIONS} regions"));
    }
    Ok(out)
}

/// The regions to read: the enabled ones, narrowed to `chosen` when there is a list; and
/// the chosen regions the account has not enabled (not read, to be reported).
pub fn within(enabled: Vec<String>, chosen: Option<&[String]>) -> (Vec<String>, Vec<String>) {
    let Some(chosen) = chosen else {
        return (enabled, Vec::new());
    };
    let missing = chosen
        .iter()
        .filter(|c| !enabled.contains(c))
        .cloned()
        .collect();
    let read = enabled.into_iter().filter(|r| chosen.contains(r)).collect();
    (read, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn region_names_are_accepted_sorted_and_deduplicated() {
        assert_eq!(
            parse_list(&list(&[
                "us-gov-west-1",
                " eu-west-1",
                "ap-southeast-2",
                "eu-west-1"
            ])),
            Ok(list(&["ap-southeast-2", "eu-west-1", "us-gov-west-1"]))
        );
    }

    #[test]
    fn anything_else_is_refused_naming_the_entry() {
        for bad in [
            "",
            "EU-WEST-1",
            "eu-west",
            "euwest1",
            "eu--1",
            "e-west-1",
            "eu-west-123",
            "eu-west-1; drop",
        ] {
            let err = parse_list(&list(&["us-east-1", bad])).unwrap_err();
            assert!(err.contains("is not an AWS region name"), "{bad}: {err}");
        }
        assert!(parse_list(&[]).unwrap_err().contains("at least one region"));
        let many: Vec<String> = (0..65).map(|i| format!("xx-test-{}", i % 100)).collect();
        assert!(parse_list(&many).unwrap_err().contains("at most 64"));
    }

    #[test]
    fn a_list_narrows_the_enabled_regions_and_names_the_ones_not_enabled() {
        let enabled = list(&["eu-west-1", "us-east-1", "us-west-2"]);
        assert_eq!(within(enabled.clone(), None), (enabled.clone(), vec![]));
        assert_eq!(
            within(enabled, Some(&list(&["eu-south-2", "us-east-1"]))),
            (list(&["us-east-1"]), list(&["eu-south-2"]))
        );
    }
}
