//! The docket summary: what the agency was told, by whom and how often, made at each close and on
//! demand, and written as Markdown, JSON, an SVG timeline and (with storage) one CSV row per comment.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
mod build;
#[cfg(feature = "ssr")]
pub use build::SavedSummary;

/// Why a summary was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SummaryReason {
    /// Made by the scheduler when the window closed.
    Closed,
    /// An admin published it to the public docket page.
    Published,
}

impl SummaryReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SummaryReason::Closed => "closed",
            SummaryReason::Published => "published",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Closed, Self::Published]
            .into_iter()
            .find(|r| r.as_str() == raw)
    }
}

/// Who the summary is for. The public version quotes only posted comments, as posted (redacted),
/// names only organizations whose comments are posted, and shows only published tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    Staff,
    Public,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub label: String,
    pub received: i64,
    pub posted: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCount {
    pub name: String,
    pub comments: i64,
    pub quotes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignCount {
    pub id: i64,
    pub received: i64,
    pub posted: i64,
    /// Share of all comments received, in percent.
    pub share: f64,
    pub letter_excerpt: String,
    pub first_received: DateTime<Utc>,
    pub last_received: DateTime<Utc>,
    /// Copies whose personal additions are substantial.
    pub personalised: i64,
    /// A few of those additions, as written.
    pub additions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub received: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocketSummary {
    pub docket_id: String,
    pub title: String,
    pub agency: String,
    pub time_zone: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub made_at: DateTime<Utc>,
    pub audience: Audience,
    pub received: i64,
    pub posted: i64,
    pub pending: i64,
    pub late: i64,
    /// Withheld comments by reason (label, count).
    pub withheld: Vec<(String, i64)>,
    pub by_submitter: Vec<Count>,
    pub by_state: Vec<Count>,
    pub by_country: Vec<Count>,
    pub organizations: Vec<Count>,
    pub tags: Vec<TagCount>,
    /// The largest campaigns, in detail.
    pub campaigns: Vec<CampaignCount>,
    /// Campaigns beyond those, and the comments in them.
    pub other_campaigns: i64,
    pub other_campaign_comments: i64,
    pub in_campaigns: i64,
    /// Comments not in any campaign.
    pub unique: i64,
    pub per_day: Vec<DayCount>,
}

impl DocketSummary {
    pub fn zone(&self) -> Tz {
        self.time_zone.parse().unwrap_or(Tz::UTC)
    }

    /// An instant in the agency's zone, as the summary prints it.
    pub fn local(&self, instant: DateTime<Utc>) -> String {
        instant
            .with_timezone(&self.zone())
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    pub fn withheld_total(&self) -> i64 {
        self.withheld.iter().map(|(_, n)| n).sum()
    }

    /// The summary as a Markdown document.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let line = |md: &mut String, text: String| {
            md.push_str(&text);
            md.push('\n');
        };
        line(
            &mut md,
            format!(
                "# Docket summary: {} ({})",
                escape_md(&self.title),
                self.docket_id
            ),
        );
        line(&mut md, String::new());
        line(
            &mut md,
            format!(
                "{}. Comment period {} to {}. Summary made {}.",
                escape_md(&self.agency),
                self.local(self.opens_at),
                self.local(self.closes_at),
                self.local(self.made_at)
            ),
        );
        line(&mut md, String::new());
        line(&mut md, "## Totals".into());
        line(&mut md, String::new());
        line(&mut md, "| Total | Comments |".into());
        line(&mut md, "| --- | ---: |".into());
        for (label, n) in [
            ("Received", self.received),
            ("Posted", self.posted),
            ("Waiting for a decision", self.pending),
            ("Withheld", self.withheld_total()),
            ("Received after the deadline", self.late),
            ("In campaigns", self.in_campaigns),
            ("Not in any campaign", self.unique),
        ] {
            line(&mut md, format!("| {label} | {n} |"));
        }
        if !self.withheld.is_empty() {
            line(&mut md, String::new());
            line(&mut md, "Withheld by reason:".into());
            line(&mut md, String::new());
            for (reason, n) in &self.withheld {
                line(&mut md, format!("- {}: {n}", escape_md(reason)));
            }
        }
        for (title, heading, counts) in [
            ("By submitter type", "Submitter type", &self.by_submitter),
            ("By state or province", "State or province", &self.by_state),
            ("By country", "Country", &self.by_country),
            ("Organizations", "Organization", &self.organizations),
        ] {
            line(&mut md, String::new());
            line(&mut md, format!("## {title}"));
            line(&mut md, String::new());
            if counts.is_empty() {
                line(&mut md, "None.".into());
                continue;
            }
            line(&mut md, format!("| {heading} | Received | Posted |"));
            line(&mut md, "| --- | ---: | ---: |".into());
            for c in counts {
                line(
                    &mut md,
                    format!(
                        "| {} | {} | {} |",
                        escape_md(&c.label),
                        c.received,
                        c.posted
                    ),
                );
            }
        }
        line(&mut md, String::new());
        line(&mut md, "## Campaigns".into());
        line(&mut md, String::new());
        if self.campaigns.is_empty() {
            line(&mut md, "No form-letter campaigns were found.".into());
        }
        for c in &self.campaigns {
            line(
                &mut md,
                format!(
                    "### Campaign {}: {} comments ({:.1} % of all), {} posted",
                    c.id, c.received, c.share, c.posted
                ),
            );
            line(&mut md, String::new());
            line(
                &mut md,
                format!(
                    "From {} to {}. {} something substantial of their own.",
                    self.local(c.first_received),
                    self.local(c.last_received),
                    crate::campaign::personalised_copies(c.personalised)
                ),
            );
            line(&mut md, String::new());
            line(&mut md, format!("> {}", escape_md(&c.letter_excerpt)));
            if !c.additions.is_empty() {
                line(&mut md, String::new());
                line(&mut md, "What people added:".into());
                line(&mut md, String::new());
                for a in &c.additions {
                    line(&mut md, format!("- “{}”", escape_md(a)));
                }
            }
            line(&mut md, String::new());
        }
        if self.other_campaigns > 0 {
            line(
                &mut md,
                format!(
                    "{} smaller campaigns hold another {} comments.",
                    self.other_campaigns, self.other_campaign_comments
                ),
            );
            line(&mut md, String::new());
        }
        line(&mut md, String::new());
        line(&mut md, "## Tags".into());
        line(&mut md, String::new());
        if self.tags.is_empty() {
            line(&mut md, "No tags.".into());
        }
        for t in &self.tags {
            line(
                &mut md,
                format!("- **{}**: {} comments", escape_md(&t.name), t.comments),
            );
            for q in &t.quotes {
                line(&mut md, format!("  - “{}”", escape_md(q)));
            }
        }
        line(&mut md, String::new());
        line(&mut md, "## Comments received per day".into());
        line(&mut md, String::new());
        if self.per_day.is_empty() {
            line(&mut md, "None.".into());
        } else {
            line(&mut md, "| Day | Received |".into());
            line(&mut md, "| --- | ---: |".into());
            for d in &self.per_day {
                line(&mut md, format!("| {} | {} |", d.day, d.received));
            }
        }
        md
    }
}

/// Keeps text from the public from turning into Markdown structure (tables, links, emphasis).
fn escape_md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '|' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '#' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Comments received per day as a bar chart: a self-contained SVG with a title and a text
/// alternative, no scripts and no styles from elsewhere.
pub fn timeline_svg(days: &[DayCount]) -> String {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 200.0;
    const AXIS: f64 = 24.0;
    let max = days.iter().map(|d| d.received).max().unwrap_or(0).max(1) as f64;
    let total: i64 = days.iter().map(|d| d.received).sum();
    // A few days get narrow bars on the left rather than a block across the chart.
    let bar = if days.is_empty() {
        0.0
    } else {
        (WIDTH / days.len() as f64).min(24.0)
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 {WIDTH} {}\" \
         role=\"img\" aria-labelledby=\"timeline-title\">\
         <title id=\"timeline-title\">Comments received per day: {total} over {} days, at most {} a day</title>",
        HEIGHT + AXIS,
        days.len(),
        max as i64
    );
    for (i, d) in days.iter().enumerate() {
        let h = (d.received as f64 / max) * HEIGHT;
        svg.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"currentColor\"><title>{}: {}</title></rect>",
            i as f64 * bar + bar * 0.1,
            HEIGHT - h,
            (bar * 0.8).max(0.5),
            h,
            d.day,
            d.received
        ));
    }
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        svg.push_str(&format!(
            "<line x1=\"0\" y1=\"{HEIGHT}\" x2=\"{WIDTH}\" y2=\"{HEIGHT}\" stroke=\"currentColor\"/>\
             <text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>",
            HEIGHT + 16.0,
            escape_xml(&first.day.to_string()),
        ));
        if days.len() > 1 {
            // Under the last bar, or at the right edge when the bars fill the chart.
            let end = (days.len() as f64 * bar).max(160.0);
            svg.push_str(&format!(
                "<text x=\"{end:.1}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
                HEIGHT + 16.0,
                escape_xml(&last.day.to_string())
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32, received: i64) -> DayCount {
        DayCount {
            day: NaiveDate::from_ymd_opt(2023, 3, d).unwrap(),
            received,
        }
    }

    pub(crate) fn empty_summary() -> DocketSummary {
        let at = DateTime::from_timestamp(1_678_000_000, 0).unwrap();
        DocketSummary {
            docket_id: "FTC-2023-0014".into(),
            title: "BetterHelp | consent order".into(),
            agency: "Federal Trade Commission".into(),
            time_zone: "America/New_York".into(),
            opens_at: at,
            closes_at: at,
            made_at: at,
            audience: Audience::Staff,
            received: 0,
            posted: 0,
            pending: 0,
            late: 0,
            withheld: Vec::new(),
            by_submitter: Vec::new(),
            by_state: Vec::new(),
            by_country: Vec::new(),
            organizations: Vec::new(),
            tags: Vec::new(),
            campaigns: Vec::new(),
            other_campaigns: 0,
            other_campaign_comments: 0,
            in_campaigns: 0,
            unique: 0,
            per_day: Vec::new(),
        }
    }

    #[test]
    fn an_empty_docket_has_a_short_valid_summary() {
        let md = empty_summary().to_markdown();
        assert!(md.starts_with("# Docket summary: BetterHelp \\| consent order (FTC-2023-0014)"));
        assert!(md.contains("| Received | 0 |"));
        assert!(md.contains("No form-letter campaigns were found."));
        assert!(md.contains("2023-03-05 02:06 EST"), "{md}");
        let mut many = empty_summary();
        many.other_campaigns = 3;
        many.other_campaign_comments = 9;
        assert!(many
            .to_markdown()
            .contains("3 smaller campaigns hold another 9 comments."));
        let svg = timeline_svg(&[]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<rect"));
    }

    #[test]
    fn public_text_cannot_break_the_markdown() {
        let mut s = empty_summary();
        s.tags.push(TagCount {
            name: "Data | sharing".into(),
            comments: 2,
            quotes: vec!["<script>x</script> [link](http://evil)\n# heading".into()],
        });
        let md = s.to_markdown();
        assert!(md.contains("**Data \\| sharing**: 2 comments"));
        assert!(md.contains("“\\<script\\>x\\</script\\> \\[link\\](http://evil) \\# heading”"));
    }

    #[test]
    fn the_timeline_has_one_bar_a_day_scaled_to_the_busiest() {
        let svg = timeline_svg(&[day(1, 10), day(2, 5), day(3, 0)]);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("height=\"200.0\""));
        assert!(svg.contains("height=\"100.0\""));
        assert!(svg.contains("<title>2023-03-02: 5</title>"));
        assert!(svg.contains("15 over 3 days, at most 10 a day"));
    }
}
