//! The legacy endpoint's short region codes and their API 3.0 names, as data.
//!
//! The short codes and their places are those of the legacy common-parameters page
//! (qcloud-documents `云服务器API（旧版）/调用方式/公共参数.md`: "bj:北京 gz:广州 sh:上海 hk:香港 ca:北美
//! sg:新加坡 usw:美西 cd:成都 de:德国 kr:韩国 shjr:上海金融 szjr:深圳金融 gzopen:广州OPEN"). The API 3.0
//! names are ours: `ca` (North America) is Toronto and `gzopen` is Guangzhou Open, for which no
//! document here gives the API 3.0 name (ledger L-LEG-3).

/// `(short code, API 3.0 region)`.
pub const SHORT_CODES: &[(&str, &str)] = &[
    ("bj", "ap-beijing"),
    ("gz", "ap-guangzhou"),
    ("sh", "ap-shanghai"),
    ("hk", "ap-hongkong"),
    ("ca", "na-toronto"),
    ("sg", "ap-singapore"),
    ("usw", "na-siliconvalley"),
    ("cd", "ap-chengdu"),
    ("de", "eu-frankfurt"),
    ("kr", "ap-seoul"),
    ("shjr", "ap-shanghai-fsi"),
    ("szjr", "ap-shenzhen-fsi"),
    ("gzopen", "ap-guangzhou-open"),
];

/// The API 3.0 name of `region` by `codes` (`LegacySettings::short_region_codes`): a short code is
/// translated, anything else (an API 3.0 name, as the SDK vectors send, or an unknown value left
/// for the CVM region rule to refuse) is kept.
pub fn to_api3<'a>(codes: &'a [(String, String)], region: &'a str) -> &'a str {
    codes.iter().find(|(short, _)| short == region).map(|(_, name)| name.as_str()).unwrap_or(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_codes_map_and_api3_names_pass_through() {
        let codes = super::super::LegacySettings::default().short_region_codes;
        for (given, api3) in [("gz", "ap-guangzhou"), ("shjr", "ap-shanghai-fsi"), ("ap-guangzhou", "ap-guangzhou"), ("mars", "mars")] {
            assert_eq!(to_api3(&codes, given), api3);
        }
        assert_eq!(SHORT_CODES.len(), 13);
    }
}
