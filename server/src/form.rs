//! Reading `application/x-www-form-urlencoded` bodies strictly: unlike lossy decoders, text that
//! is not valid UTF-8 is refused instead of being silently replaced.

use percent_encoding::percent_decode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("the form contains bytes that are not valid UTF-8 text")]
    InvalidUtf8,
    #[error("The form has more than {max} fields.")]
    TooManyFields { max: usize },
}

/// Fields a form may have: staff forms tick up to a page of comments (100) at once.
pub const MAX_FIELDS: usize = 1_000;

fn decode(raw: &[u8]) -> Result<String, FormError> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    let bytes: Vec<u8> = percent_decode(&spaced).collect();
    String::from_utf8(bytes).map_err(|_| FormError::InvalidUtf8)
}

/// The form's name/value pairs in order.
pub fn parse_urlencoded(body: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    let pairs = body.split(|&b| b == b'&').filter(|pair| !pair.is_empty());
    if pairs.clone().count() > MAX_FIELDS {
        return Err(FormError::TooManyFields { max: MAX_FIELDS });
    }
    pairs
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn form_bodies_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let _ = parse_urlencoded(&body);
        }
    }

    #[test]
    fn too_many_fields_are_refused_before_decoding() {
        let many = "a=1&".repeat(MAX_FIELDS + 1);
        assert_eq!(
            parse_urlencoded(many.as_bytes()),
            Err(FormError::TooManyFields { max: MAX_FIELDS })
        );
        assert_eq!(
            parse_urlencoded("a=1&".repeat(MAX_FIELDS).as_bytes())
                .unwrap()
                .len(),
            MAX_FIELDS
        );
    }

    #[test]
    fn decodes_plus_and_percent_escapes() {
        let pairs =
            parse_urlencoded(b"comment=Hello+world%21%0D%0ABye&first_name=Zo%C3%AB&empty=&flag")
                .unwrap();
        assert_eq!(
            pairs,
            vec![
                ("comment".into(), "Hello world!\r\nBye".into()),
                ("first_name".into(), "Zoë".into()),
                ("empty".into(), String::new()),
                ("flag".into(), String::new()),
            ]
        );
    }

    #[test]
    fn a_literal_plus_is_sent_as_percent_2b() {
        assert_eq!(
            parse_urlencoded(b"a=1%2B1").unwrap(),
            vec![("a".into(), "1+1".into())]
        );
    }

    #[test]
    fn refuses_invalid_utf8() {
        assert_eq!(
            parse_urlencoded(b"comment=%FF%FE"),
            Err(FormError::InvalidUtf8)
        );
        assert_eq!(
            parse_urlencoded(b"comment=ok&x=\xff"),
            Err(FormError::InvalidUtf8)
        );
    }
}
