//! Markdown of proposed orders rendered to HTML that is safe to put in a page.

use pulldown_cmark::{html, Options, Parser};

/// Renders Markdown and sanitises the result: scripts, event handlers, styles and images
/// (which would load from other hosts) are removed; links keep only http, https and mailto.
pub fn render_markdown(source: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_FOOTNOTES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut unsafe_html = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(source, options));
    ammonia::Builder::default()
        .rm_tags(["img"])
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer"))
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_headings_lists_and_emphasis() {
        let html = render_markdown("## Part I\n\n- *one*\n- **two**\n");
        assert!(html.contains("<h2>Part I</h2>"), "{html}");
        assert!(html.contains("<em>one</em>"));
        assert!(html.contains("<strong>two</strong>"));
    }

    #[test]
    fn strips_scripts_handlers_and_remote_images() {
        let html = render_markdown(
            "<script>alert(1)</script>\n\n<a href=\"javascript:alert(1)\" onclick=\"x()\">x</a>\n\n![t](https://tracker.example/p.gif)",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }
}
