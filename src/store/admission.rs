//! Whether a docket takes a comment now: read from the database, or, for the check made before a
//! form's files are received, from what was read in the last second when that still admits it.

use super::*;
use std::collections::HashMap;
use std::sync::Mutex;

/// How long facts read for one comment's check serve the next ones. Only an admission is taken
/// from them: a refusal is always read afresh, and the INSERT that stores a comment checks the
/// window again, so facts a little old never store a comment the database would refuse.
const RECENT: chrono::Duration = chrono::Duration::seconds(1);

/// What admission needs to know about a docket.
#[derive(Debug, Clone)]
struct AdmissionFacts {
    withdrawn: bool,
    time_zone: Tz,
    window: CommentWindow,
}

impl AdmissionFacts {
    fn admit(&self, now: DateTime<Utc>) -> Result<(), SubmitError> {
        if self.withdrawn {
            return Err(SubmitError::Withdrawn);
        }
        match self.window.admission_at(now) {
            Admission::NotYetOpen => Err(SubmitError::NotYetOpen {
                opens_at: self.window.opens_at,
                time_zone: self.time_zone,
            }),
            Admission::Closed => Err(SubmitError::Closed {
                closes_at: self.window.closes_at,
                time_zone: self.time_zone,
            }),
            Admission::OnTime | Admission::Late => Ok(()),
        }
    }
}

/// Facts read for existing dockets only (an unknown id is never kept), so it holds at most one
/// entry per docket.
#[derive(Debug, Default)]
pub(super) struct RecentAdmissions(Mutex<HashMap<String, (DateTime<Utc>, AdmissionFacts)>>);

impl RecentAdmissions {
    fn admits(&self, docket_id: &DocketId, now: DateTime<Utc>) -> bool {
        let recent = self.0.lock().unwrap_or_else(|e| e.into_inner());
        recent
            .get(docket_id.as_str())
            .is_some_and(|(read_at, facts)| {
                *read_at <= now && now - *read_at < RECENT && facts.admit(now).is_ok()
            })
    }

    fn keep(&self, docket_id: &DocketId, now: DateTime<Utc>, facts: AdmissionFacts) {
        let mut recent = self.0.lock().unwrap_or_else(|e| e.into_inner());
        recent.insert(docket_id.as_str().to_owned(), (now, facts));
    }
}

impl Store {
    /// Whether the docket takes a comment at `now` (on time or late): the reason if not. Read
    /// afresh; the INSERT that stores a comment checks the same again.
    pub async fn check_admission(
        &self,
        docket_id: &DocketId,
        now: DateTime<Utc>,
    ) -> Result<(), SubmitError> {
        let facts = self.admission_facts(docket_id).await?;
        let verdict = facts.admit(now);
        self.recent_admissions.keep(docket_id, now, facts);
        verdict
    }

    /// The same, answered without a read when facts read in the last second admit the comment.
    /// For the check made before a form's files are received: this runs for every comment sent.
    pub async fn check_admission_recent(
        &self,
        docket_id: &DocketId,
        now: DateTime<Utc>,
    ) -> Result<(), SubmitError> {
        if self.recent_admissions.admits(docket_id, now) {
            return Ok(());
        }
        self.check_admission(docket_id, now).await
    }

    async fn admission_facts(&self, docket_id: &DocketId) -> Result<AdmissionFacts, SubmitError> {
        let row = sqlx::query(
            "SELECT d.withdrawn_at, a.time_zone, w.opens_at, w.closes_at, w.allow_late
             FROM dockets d
             JOIN agencies a ON a.code = d.agency_code
             JOIN comment_windows w ON w.id = (SELECT MAX(id) FROM comment_windows WHERE docket_id = d.id)
             WHERE d.id = $1",
        )
        .bind(docket_id.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| SubmitError::UnknownDocket(docket_id.to_string()))?;
        Ok(AdmissionFacts {
            withdrawn: row.try_get::<Option<i64>, _>("withdrawn_at")?.is_some(),
            time_zone: super::dockets::parse_zone(&row.try_get::<String, _>("time_zone")?)?,
            window: CommentWindow {
                opens_at: from_millis(row.try_get("opens_at")?)?,
                closes_at: from_millis(row.try_get("closes_at")?)?,
                allow_late: row.try_get::<i64, _>("allow_late")? != 0,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + seconds, 0).unwrap()
    }

    fn facts(closes: i64) -> AdmissionFacts {
        AdmissionFacts {
            withdrawn: false,
            time_zone: chrono_tz::America::New_York,
            window: CommentWindow {
                opens_at: at(-100),
                closes_at: at(closes),
                allow_late: false,
            },
        }
    }

    #[test]
    fn recent_facts_admit_only_within_a_second_and_only_while_they_admit() {
        let docket = DocketId::parse("FTC-2023-0018").unwrap();
        let recent = RecentAdmissions::default();
        assert!(!recent.admits(&docket, at(0)), "nothing read yet");
        recent.keep(&docket, at(0), facts(10));
        assert!(recent.admits(&docket, at(0)));
        assert!(!recent.admits(&docket, at(1)), "a second old: read again");
        assert!(!recent.admits(&docket, at(-1)), "read after now");
        let other = DocketId::parse("FTC-2023-0019").unwrap();
        assert!(!recent.admits(&other, at(0)));
        // Facts that say the window has closed never answer: the refusal is read afresh.
        recent.keep(&docket, at(0), facts(0));
        assert!(!recent.admits(&docket, at(0)));
    }
}
