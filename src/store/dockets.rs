//! Dockets in the database: creating one with its agency, document and first window, reading
//! them, editing, withdrawing and the late-comment policy.

use super::*;

impl Store {
    /// Creates the docket, its agency (if new), its document and its first window, all or nothing.
    pub async fn create_docket(
        &self,
        new: &NewDocket,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_docket(&mut tx, new, actor, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates the docket only if `marker` was never recorded before, and records it in the same
    /// transaction, so it happens once per installation however often or wherever the server starts.
    pub async fn create_docket_once(
        &self,
        marker: &str,
        new: &NewDocket,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let claimed =
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(marker)
                .bind(now.to_rfc3339())
                .execute(&mut **tx)
                .await?
                .rows_affected()
                == 1;
        if !claimed {
            return Ok(false);
        }
        insert_docket(&mut tx, new, actor, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn docket_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM dockets")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    const DOCKET_SELECT: &'static str = "
        SELECT d.id, d.title, d.withdrawn_at, d.ask_proof_of_work, d.confirm_by_email, a.code, a.name AS agency_name, a.time_zone,
               doc.id AS document_id, doc.title AS document_title, doc.summary, doc.body_markdown,
               doc.federal_register_citation, doc.published_at,
               w.opens_at, w.closes_at, w.allow_late, w.status,
               (SELECT CAST(COALESCE(SUM(cc.n), 0) AS BIGINT) FROM comment_counts cc
                WHERE cc.docket_id = d.id) AS comments_received
        FROM dockets d
        JOIN agencies a ON a.code = d.agency_code
        JOIN documents doc ON doc.id = (SELECT MIN(id) FROM documents WHERE docket_id = d.id)
        JOIN comment_windows w ON w.id = (SELECT MAX(id) FROM comment_windows WHERE docket_id = d.id)";

    /// Every docket with its current window, soonest deadline first.
    pub async fn list_dockets(&self) -> Result<Vec<DocketRecord>, StoreError> {
        let sql = format!("{} ORDER BY w.closes_at, d.id", Self::DOCKET_SELECT);
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(docket_from_row).collect()
    }

    /// (id, title) of every docket, for choosing one; cheaper than `list_dockets`, which counts comments.
    pub async fn docket_titles(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT id, title FROM dockets ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("title")?)))
            .collect()
    }

    /// A docket's title and its agency's time zone, without counting its comments (for every search).
    pub async fn docket_title_and_zone(
        &self,
        id: &DocketId,
    ) -> Result<Option<(String, Tz)>, StoreError> {
        let row = sqlx::query(
            "SELECT d.title, a.time_zone FROM dockets d JOIN agencies a ON a.code = d.agency_code
             WHERE d.id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let zone: String = row.try_get("time_zone")?;
            let zone = zone
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("time zone {zone:?}")))?;
            Ok((row.try_get("title")?, zone))
        })
        .transpose()
    }

    pub async fn docket(&self, id: &DocketId) -> Result<Option<DocketRecord>, StoreError> {
        let sql = format!("{} WHERE d.id = $1", Self::DOCKET_SELECT);
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(docket_from_row).transpose()
    }

    /// Changes a docket's title and its document. The window is changed by extending or reopening.
    pub async fn edit_docket(
        &self,
        docket_id: &DocketId,
        title: &str,
        document: &NewDocument,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let before: Option<String> = sqlx::query("SELECT title FROM dockets WHERE id = $1")
            .bind(docket_id.as_str())
            .fetch_optional(&mut **tx)
            .await?
            .map(|row| row.try_get("title"))
            .transpose()?;
        let Some(before) = before else {
            return Ok(false);
        };
        sqlx::query("UPDATE dockets SET title = $1 WHERE id = $2")
            .bind(title)
            .bind(docket_id.as_str())
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE documents SET title = $1, summary = $2, body_markdown = $3, federal_register_citation = $4
             WHERE id = (SELECT MIN(id) FROM documents WHERE docket_id = $5)",
        )
        .bind(&document.title)
        .bind(&document.summary)
        .bind(&document.body_markdown)
        .bind(document.federal_register_citation.as_deref())
        .bind(docket_id.as_str())
        .execute(&mut **tx)
        .await?;
        let after = format!("{title} (document: {})", document.title);
        audit_docket(
            &mut tx,
            actor,
            "docket.edit",
            docket_id,
            Some(&before),
            Some(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Withdraws a docket: it takes no more comments from now on. Recorded in the audit log.
    pub async fn withdraw_docket(
        &self,
        docket_id: &DocketId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE dockets SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL",
        )
        .bind(to_millis(now))
        .bind(docket_id.as_str())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if updated == 1 {
            audit_docket(
                &mut tx,
                actor,
                "docket.withdraw",
                docket_id,
                Some("active"),
                Some("withdrawn"),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(updated == 1)
    }

    /// Turns one of a docket's switches on or off, with an audit entry.
    pub async fn set_docket_switch(
        &self,
        docket_id: &DocketId,
        switch: DocketSwitch,
        on: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let sql = match switch {
            DocketSwitch::LateComments => "UPDATE comment_windows SET allow_late = $1 WHERE id = (SELECT MAX(id) FROM comment_windows WHERE docket_id = $2)",
            DocketSwitch::ProofOfWork => "UPDATE dockets SET ask_proof_of_work = $1 WHERE id = $2",
            DocketSwitch::EmailConfirmation => "UPDATE dockets SET confirm_by_email = $1 WHERE id = $2",
        };
        sqlx::query(sql)
            .bind(i64::from(on))
            .bind(docket_id.as_str())
            .execute(&mut **tx)
            .await?;
        let (action, after) = match (switch, on) {
            (DocketSwitch::LateComments, true) => ("docket.late_policy", "late comments accepted"),
            (DocketSwitch::LateComments, false) => ("docket.late_policy", "late comments refused"),
            (DocketSwitch::ProofOfWork, true) => (
                "docket.proof_of_work",
                "every browser asked for a proof of work",
            ),
            (DocketSwitch::ProofOfWork, false) => (
                "docket.proof_of_work",
                "crowded networks asked for a proof of work",
            ),
            (DocketSwitch::EmailConfirmation, true) => (
                "docket.email_confirmation",
                "comments with an e-mail address confirmed by e-mail",
            ),
            (DocketSwitch::EmailConfirmation, false) => {
                ("docket.email_confirmation", "no e-mail confirmation")
            }
        };
        audit_docket(&mut tx, actor, action, docket_id, None, Some(after), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A docket setting an admin turns on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocketSwitch {
    /// The current window accepts comments after its deadline, marked late.
    LateComments,
    /// Every commenter's browser is asked for a proof of work.
    ProofOfWork,
    /// A comment that gives an e-mail address waits until its submitter confirms it.
    EmailConfirmation,
}

pub(super) async fn insert_docket(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    new: &NewDocket,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let code = new.id.agency_code();
    let existing = sqlx::query("SELECT name, time_zone FROM agencies WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?;
    match existing {
        Some(row) => {
            let name: String = row.try_get("name")?;
            let time_zone: String = row.try_get("time_zone")?;
            if name != new.agency_name || time_zone != new.time_zone.name() {
                return Err(StoreError::AgencyConflict {
                    code: code.to_owned(),
                    name,
                    time_zone,
                });
            }
        }
        None => {
            sqlx::query("INSERT INTO agencies (code, name, time_zone) VALUES ($1, $2, $3)")
                .bind(code)
                .bind(&new.agency_name)
                .bind(new.time_zone.name())
                .execute(&mut **tx)
                .await?;
        }
    }
    let exists = sqlx::query("SELECT 1 FROM dockets WHERE id = $1")
        .bind(new.id.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    if exists.is_some() {
        return Err(StoreError::DocketExists(new.id.to_string()));
    }
    sqlx::query("INSERT INTO dockets (id, agency_code, title, created_at, last_modified_at) VALUES ($1, $2, $3, $4, $4)")
        .bind(new.id.as_str())
        .bind(code)
        .bind(&new.title)
        .bind(to_millis(now))
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO documents (id, docket_id, title, summary, body_markdown, federal_register_citation, published_at, last_modified_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(new.id.document_id(1))
    .bind(new.id.as_str())
    .bind(&new.document.title)
    .bind(&new.document.summary)
    .bind(&new.document.body_markdown)
    .bind(new.document.federal_register_citation.as_deref())
    .bind(to_millis(new.window.opens_at))
    .execute(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO comment_windows (docket_id, opens_at, closes_at, allow_late) VALUES ($1, $2, $3, $4)")
        .bind(new.id.as_str())
        .bind(to_millis(new.window.opens_at))
        .bind(to_millis(new.window.closes_at))
        .bind(i64::from(new.window.allow_late))
        .execute(&mut **tx)
        .await?;
    let after = format!(
        "{} ({} to {})",
        new.title,
        new.window.opens_at.to_rfc3339(),
        new.window.closes_at.to_rfc3339()
    );
    let record = AuditRecord {
        action: "docket.create",
        object_type: "docket",
        object_id: new.id.as_str(),
        before: None,
        after: Some(&after),
    };
    audit(tx, actor, record, now).await?;
    Ok(())
}

/// Records a change to a docket in the audit log, inside the transaction that makes it.
pub(crate) async fn audit_docket(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    action: &str,
    docket_id: &DocketId,
    before: Option<&str>,
    after: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for table in ["dockets", "documents"] {
        let key = if table == "dockets" {
            "id"
        } else {
            "docket_id"
        };
        sqlx::query(&format!(
            "UPDATE {table} SET last_modified_at = $1 WHERE {key} = $2"
        ))
        .bind(to_millis(now))
        .bind(docket_id.as_str())
        .execute(&mut **tx)
        .await?;
    }
    let record = AuditRecord {
        action,
        object_type: "docket",
        object_id: docket_id.as_str(),
        before,
        after,
    };
    audit(tx, actor, record, now).await
}

pub(super) fn parse_zone(name: &str) -> Result<Tz, StoreError> {
    name.parse()
        .map_err(|_| StoreError::Corrupt(format!("unknown time zone {name:?}")))
}

pub(super) fn docket_from_row(row: &AnyRow) -> Result<DocketRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    let recorded_state = match status.as_str() {
        "scheduled" => WindowState::Scheduled,
        "open" => WindowState::Open,
        "closed" => WindowState::Closed,
        other => return Err(StoreError::Corrupt(format!("window status {other:?}"))),
    };
    Ok(DocketRecord {
        id: DocketId::parse(&id)
            .map_err(|e| StoreError::Corrupt(format!("docket id {id:?}: {e}")))?,
        title: row.try_get("title")?,
        agency: Agency {
            code: row.try_get("code")?,
            name: row.try_get("agency_name")?,
            time_zone: parse_zone(&row.try_get::<String, _>("time_zone")?)?,
        },
        document: DocumentRecord {
            id: row.try_get("document_id")?,
            title: row.try_get("document_title")?,
            summary: row.try_get("summary")?,
            body_markdown: row.try_get("body_markdown")?,
            federal_register_citation: row.try_get("federal_register_citation")?,
            published_at: from_millis(row.try_get("published_at")?)?,
        },
        window: CommentWindow {
            opens_at: from_millis(row.try_get("opens_at")?)?,
            closes_at: from_millis(row.try_get("closes_at")?)?,
            allow_late: row.try_get::<i64, _>("allow_late")? != 0,
        },
        recorded_state,
        comments_received: row.try_get("comments_received")?,
        withdrawn_at: row
            .try_get::<Option<i64>, _>("withdrawn_at")?
            .map(from_millis)
            .transpose()?,
        ask_proof_of_work: row.try_get::<i64, _>("ask_proof_of_work")? != 0,
        confirm_by_email: row.try_get::<i64, _>("confirm_by_email")? != 0,
    })
}
