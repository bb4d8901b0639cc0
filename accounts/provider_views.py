"""Sign-in with Google or Microsoft, and the admin's sign-in settings (their own blueprint, `providers`)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, logout_user

from accounts import oidc, queries
from accounts import oidc_rules as rules
from accounts.forms import SignInDomainForm
from accounts.signing_in import SCHOOL_PAUSED, home_for, safe_next, school_paused, start_signed_in
from accounts.users import account_required, role_required
from audit import audit_by
from db import get_db
from forms import ConfirmForm
from languages import lazy_gettext as _l

bp = Blueprint("providers", __name__)
admin_required = role_required("admin")

# clean_domain_entry's problems (plain English: the rules stay free of Flask) in the page's language.
DOMAIN_PROBLEMS = {
    "Type your school's Google Workspace domain, for example hillside.sch.uk.": _l(
        "Type your school's Google Workspace domain, for example hillside.sch.uk."
    ),
    "That is not a domain. Type only the part after the @, for example hillside.sch.uk.": _l(
        "That is not a domain. Type only the part after the @, for example hillside.sch.uk."
    ),
    "Type your school's Microsoft tenant ID.": _l("Type your school's Microsoft tenant ID."),
    "That is the tenant of personal Microsoft accounts, not a school's.": _l(
        "That is the tenant of personal Microsoft accounts, not a school's."
    ),
    "A tenant ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47 (Entra admin centre, Overview, Tenant ID); a domain "
    "name will not work.": _l(
        "A tenant ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47 (Entra admin centre, Overview, Tenant ID); a "
        "domain name will not work."
    ),
}
PERSONAL_GOOGLE = " is Google's address for personal accounts, not a school's Workspace domain."


def domain_problem_words(problem):
    """A problem from clean_domain_entry, said in the page's language."""
    if problem.endswith(PERSONAL_GOOGLE):
        return gettext(
            "%(value)s is Google's address for personal accounts, not a school's Workspace domain.",
            value=problem.removesuffix(PERSONAL_GOOGLE),
        )
    return DOMAIN_PROBLEMS.get(problem, problem)


def _provider_or_404(provider):
    if oidc.client_for(provider) is None:
        abort(404)
    return provider


@bp.get("/sign-in/<provider>")
def provider_sign_in(provider):
    """Start signing in with Google or Microsoft: off to the provider's own sign-in page."""
    _provider_or_404(provider)
    next_path = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or home_for(current_user), 303)
    return _to_provider(provider, next_path=next_path)


def _to_provider(provider, **flow):
    """Redirect to the provider's sign-in page, or say it cannot be reached."""
    try:
        return redirect(oidc.authorize_url(provider, **flow), 303)
    except oidc.FlowError as error:
        return refused(provider, error.message, error.status)


def refused(provider, message, status=403):
    """The page for a sign-in that did not go through: what happened and a way to start again."""
    name = rules.PROVIDER_NAMES[provider]
    return render_template("accounts/provider_refused.html", name=name, message=message), status


def join_url(next_path):
    """Where a person with no account yet goes: /join (joining a class with its code), keeping a class code link."""
    join = url_for("join.join")
    return next_path if next_path and next_path.split("?")[0] == join else join


@bp.get("/sign-in/<provider>/callback")
def provider_callback(provider):
    """Finish a Google or Microsoft sign-in: check everything, then sign in, link, or go to /join."""
    _provider_or_404(provider)
    try:
        flow = oidc.use_callback(provider, request.args)
        verdict = oidc.check_callback(provider, flow, request.args["code"])
    except oidc.FlowError as error:
        return refused(provider, error.message, error.status)
    if flow["purpose"] == "try":
        return try_result(provider, flow, verdict)
    if flow["purpose"] == "link":
        return link_result(provider, flow, verdict)
    if not verdict.accepted:
        return refused(provider, verdict.refusal)
    schools = oidc.check_schools(verdict)
    if not schools:
        return refused(provider, verdict.refusal)
    if len(schools) == 1 and school_paused(get_db(), {"school_id": schools[0]}):
        return refused(provider, SCHOOL_PAUSED)  # the provider proved who this is: it may say why
    found = oidc.match(verdict, schools)
    if found.how == "refused":
        return refused(provider, found.message)
    if current_user.is_authenticated:
        logout_user()  # someone else was signed in on this browser: end their session first
    if found.how == "pending":
        session["oidc_pending"] = oidc.pending(verdict, schools)
        return redirect(join_url(flow["next_path"]), 303)
    oidc.record(verdict, found)
    user = start_signed_in(queries.person_by_id(get_db(), found.person["id"]))
    return redirect(safe_next(flow["next_path"]) or home_for(user), 303)


# Staff link their own Google or Microsoft account (Your account) ------------------------------------
# Microsoft accounts never match by e-mail, so this is how a member of staff whose school uses
# Microsoft starts signing in with it (and how anyone links an account whose e-mail differs).
@bp.app_template_global()
def linked_accounts():
    """The signed-in person's linked accounts, for the Your account page."""
    return queries.identities_of(get_db(), current_user.id) if current_user.is_authenticated else []


@bp.app_template_global()
def sign_in_providers():
    """The configured providers and their names, in button order."""
    return [(p, rules.PROVIDER_NAMES[p]) for p in oidc.configured_providers()]


@bp.get("/account/link/<provider>")
@account_required
def link_account(provider):
    """Start linking a Google or Microsoft account to the signed-in member of staff."""
    _provider_or_404(provider)
    return _to_provider(provider, purpose="link", person_id=current_user.id)


ALREADY_SOMEONE_ELSES = (
    "You signed in as {name}. That account is already linked to someone else here, so it was not "
    "linked to you. Ask your school's admin."
)


def link_result(provider, flow, verdict):
    """Finish linking: every check passes, the account is the signed-in person's school's, and it is
    nobody else's; then it is linked and they go back to Your account."""
    if not (current_user.is_authenticated and current_user.is_staff and current_user.id == flow["person_id"]):
        return refused(provider, oidc.STARTED_ELSEWHERE, 400)
    if not verdict.accepted or not oidc.check_schools(verdict, mine=current_user.school_id):
        return refused(provider, verdict.refusal)
    claims = verdict.claims
    owner = queries.person_by_identity(get_db(), claims["iss"], claims["sub"])
    if owner is not None and owner["id"] != current_user.id:
        return refused(provider, ALREADY_SOMEONE_ELSES.format(name=rules.account_name(claims)))
    if owner is None:
        oidc.record(verdict, rules.Match("link", current_user.row))
    flash(
        gettext(
            "Linked: you can now sign in with %(provider)s as %(account)s.",
            provider=rules.PROVIDER_NAMES[provider],
            account=rules.account_name(claims),
        ),
        "success",
    )
    return redirect(url_for("accounts.account"), 303)


@bp.post("/account/linked/<int:identity_id>/remove")
@account_required
def unlink_account(identity_id):
    """Unlink one of your own accounts: it can no longer sign you in."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not queries.unlink_identity(get_db(), current_user.id, identity_id):
        abort(404)
    flash(gettext("Unlinked. That account can no longer sign you in."), "success")
    return redirect(url_for("accounts.account"), 303)


# The school's sign-in settings (admins) -----------------------------------------------------------
@bp.route("/admin/sign-in", methods=["GET", "POST"])
@admin_required
def sign_in_settings():
    """The school's Google domains and Microsoft tenants, adding one, and "Try it"."""
    db, school_id = get_db(), current_user.school_id
    form = SignInDomainForm()
    if form.validate_on_submit():
        value, problem = rules.clean_domain_entry(form.provider.data, form.value.data)
        problem = problem and domain_problem_words(problem)
        shared = problem is None and rules.is_shared(form.provider.data, value, oidc.shared_sign_in())
        if shared and not queries.add_shared_domain(db, school_id, form.provider.data, value):
            problem = gettext("%(value)s is already in your list.", value=value)
        elif problem is None and not shared and not queries.add_school_domain(db, school_id, form.provider.data, value):
            mine = queries.school_for_domain(db, form.provider.data, value) == school_id
            # Never say which school has it: that would tell one school about another.
            problem = (
                gettext("%(value)s is already in your list.", value=value)
                if mine
                else gettext(
                    "%(value)s is already used by another school on this site. If it is yours, contact the site's "
                    "operator.",
                    value=value,
                )
            )
        if problem is None:
            audit_by(db, current_user, "sign-in-domain-add", "school", school_id)
            flash(
                gettext(
                    "Added %(value)s, which many schools share (Hwb): your people there are matched by a linked "
                    "account, the e-mail on the class list, or a class code, never by the account alone.",
                    value=value,
                )
                if shared
                else gettext("Added %(value)s. People with accounts there can now sign in.", value=value),
                "success",
            )
            return redirect(url_for("providers.sign_in_settings"), 303)
        form.value.errors.append(problem)
    domains = queries.school_domains(db, school_id)
    shared = queries.shared_domains(db, school_id)
    return render_template(
        "accounts/sign_in_settings.html",
        form=form,
        button=ConfirmForm(),
        google=[d for d in domains if d["provider"] == "google"],
        microsoft=[d for d in domains if d["provider"] == "microsoft"],
        shared=shared,
        configured=oidc.configured_providers(),
        names=rules.PROVIDER_NAMES,
    ), (400 if form.errors else 200)


@bp.post("/admin/sign-in/<int:domain_id>/remove")
@admin_required
def remove_sign_in_domain(domain_id):
    """Remove a domain or tenant: its people can no longer sign in with it (their links stay)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_db()
    removed = queries.remove_school_domain(db, current_user.school_id, domain_id) or abort(404)
    audit_by(db, current_user, "sign-in-domain-remove", "school", current_user.school_id)
    flash(gettext("Removed %(value)s. Accounts there can no longer sign in here.", value=removed[1]), "success")
    return redirect(url_for("providers.sign_in_settings"), 303)


@bp.post("/admin/sign-in/shared/<int:entry_id>/remove")
@admin_required
def remove_shared_sign_in(entry_id):
    """Stop using a shared domain or tenant (Hwb): its people can no longer sign in here with it (links stay)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_db()
    removed = queries.remove_shared_domain(db, current_user.school_id, entry_id) or abort(404)
    audit_by(db, current_user, "sign-in-domain-remove", "school", current_user.school_id)
    flash(gettext("Removed %(value)s. Accounts there can no longer sign in here.", value=removed[1]), "success")
    return redirect(url_for("providers.sign_in_settings"), 303)


# A link, not a form: the page's CSP (form-action 'self') stops a form submission that redirects to
# the provider. Starting a flow changes nothing, and only this admin's browser can finish it.
@bp.get("/admin/sign-in/try/<provider>")
@admin_required
def try_sign_in(provider):
    """Start a "Try it" flow: the provider's pages, then a report; nobody is signed in or linked."""
    _provider_or_404(provider)
    return _to_provider(provider, purpose="try", person_id=current_user.id)


def outcome(verdict, schools):
    """In words: what a real sign-in with this token would do."""
    if not verdict.accepted:
        return verdict.refusal
    found = oidc.match(verdict, schools)
    if found.how == "refused":
        return found.message
    if found.how == "pending":
        return "No account here matches, so they would be asked for a class code to join a class as a pupil." + (
            " (Microsoft accounts never match by e-mail.)" if verdict.provider == "microsoft" else ""
        )
    person = found.person
    who = f"{person['first_name']} {person['last_name']}".strip() + f" ({person['role']})"
    return {
        "identity": f"They would sign in as {who}, whose account is already linked.",
        "staff": f"They would be linked to {who} by their verified e-mail, and signed in.",
        "pupil": f"They would be linked to {who} by the e-mail on the class list, and signed in.",
    }[found.how]


def try_result(provider, flow, verdict):
    """The "Try it" report: the claims the provider sent and each check, for the admin who started it."""
    if not (current_user.is_authenticated and current_user.role == "admin" and current_user.id == flow["person_id"]):
        return refused(provider, oidc.STARTED_ELSEWHERE, 400)
    schools = oidc.check_schools(verdict, mine=current_user.school_id)
    return render_template(
        "accounts/sign_in_try.html",
        provider=provider,
        name=rules.PROVIDER_NAMES[provider],
        verdict=verdict,
        outcome=outcome(verdict, schools),
    )
