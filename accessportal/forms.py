"""Forms for every input of the catalog. Secrets are write-only: never rendered back."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, gettext_noop
from django.utils.translation import gettext_lazy as _

from accessportal import validators
from accessportal.models import (
    ApplicationAccess,
    AuditAction,
    Deployment,
    IamCredential,
    Mode,
    Role,
    Workspace,
    default_iam_endpoint,
    default_inference_endpoint,
)

# Django's own Chinese catalog keeps the ASCII colon after labels; Chinese text takes the
# full-width one (locale/zh_Hans translates this msgid, which BaseForm looks up).
LABEL_SUFFIX = gettext_noop(":")

MODE_FIELDS = {
    Mode.CLOUD: (),
    Mode.EDGE_LB: ("elb_ip", "elb_port", "api_url"),
    Mode.EDGE_NODE: ("node_ip", "host_port"),
}
EDGE_FIELDS = ("elb_ip", "elb_port", "api_url", "node_ip", "host_port")


def unique_name(form: forms.ModelForm, siblings, what: str, *, taken=None) -> str:
    """The form's name, stripped, if no other row among ``siblings`` has it (the
    database constraint would refuse it with a 500 otherwise). ``taken(name)``, when
    given, answers in place of the query: a bulk import reads the names once."""
    name = form.cleaned_data["name"].strip()
    if taken(name) if taken else siblings.filter(name=name).exclude(pk=form.instance.pk).exists():
        raise ValidationError(
            _("%(what)s with this name already exists.") % {"what": what}, code="name_taken"
        )
    return name


class WorkspaceForm(forms.ModelForm):
    inference_endpoint = forms.URLField(
        label=gettext_lazy("Inference endpoint"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=format_lazy(
            gettext_lazy("Leave empty for {url}"), url="https://pangu.{region}.myhuaweicloud.com"
        ),
    )
    iam_endpoint = forms.URLField(
        label=gettext_lazy("IAM endpoint"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=format_lazy(
            gettext_lazy("Leave empty for {url}"), url="https://iam.{region}.myhuaweicloud.com"
        ),
    )

    class Meta:
        model = Workspace
        fields = [
            "name",
            "description",
            "region",
            "project_id",
            "inference_endpoint",
            "iam_endpoint",
        ]

    def clean_region(self) -> str:
        region = self.cleaned_data["region"].strip()
        validators.validate_identifier(region, what=_("region"))
        return region

    def clean_project_id(self) -> str:
        project_id = self.cleaned_data["project_id"].strip()
        validators.validate_identifier(project_id, what=_("project ID"))
        return project_id

    def clean(self) -> dict:
        data = super().clean()
        region = data.get("region")
        if region:
            data["inference_endpoint"] = data.get("inference_endpoint") or (
                default_inference_endpoint(region)
            )
            data["iam_endpoint"] = data.get("iam_endpoint") or default_iam_endpoint(region)
        return data


class DeploymentForm(forms.ModelForm):
    class Meta:
        model = Deployment
        fields = [
            "name",
            "source",
            "status",
            "mode",
            "deployment_id",
            "elb_ip",
            "elb_port",
            "api_url",
            "node_ip",
            "host_port",
            "serves_v1",
            "serves_v2",
            "model_name",
            "v1_path_override",
            "v2_path_override",
        ]
        widgets = {"mode": forms.RadioSelect}

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.instance.workspace = workspace
        for name in ("elb_port", "host_port"):
            self.fields[name].widget.attrs.update(min=1, max=65535)
        for name in ("v1_path_override", "v2_path_override"):
            self.fields[name].assume_scheme = "https"

    def clean_api_url(self) -> str:
        return validators.normalize_prefix(self.cleaned_data.get("api_url", ""))

    def clean_deployment_id(self) -> str:
        value = self.cleaned_data.get("deployment_id", "").strip()
        if value:
            validators.validate_identifier(value, what=_("deployment ID"))
        return value

    def clean_model_name(self) -> str:
        value = self.cleaned_data.get("model_name", "").strip()
        if value:
            validators.validate_identifier(value, what=_("model name"))
            if self.model_name_taken(value):
                raise ValidationError(
                    _("Another deployment in this workspace already uses this model name."),
                    code="model_name_taken",
                )
        return value

    def model_name_taken(self, value: str) -> bool:
        """Another deployment of the workspace has this model name. (A method of its own so
        that a bulk import can answer it from the names it read once.)"""
        others = self.workspace.deployments.exclude(pk=self.instance.pk)
        return others.filter(model_name=value).exists()

    def clean(self) -> dict:
        data = super().clean()
        mode = data.get("mode")
        if mode in MODE_FIELDS:
            for name in MODE_FIELDS[mode]:
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, _("Required for this mode."))
            # Fields of the other modes are dropped, so switching mode leaves no stale IP.
            for name in EDGE_FIELDS:
                if name not in MODE_FIELDS[mode]:
                    data[name] = "" if name == "api_url" else None
        if not data.get("serves_v1") and not data.get("serves_v2"):
            raise ValidationError(_("Choose at least one API version."), code="no_version")
        if data.get("serves_v2") and not data.get("model_name") and "model_name" not in self.errors:
            self.add_error("model_name", _("The V2 API needs the model name."))
        if (
            data.get("serves_v1")
            and not data.get("deployment_id")
            and not data.get("v1_path_override")
            and "deployment_id" not in self.errors
        ):
            self.add_error("deployment_id", _("The V1 call path needs the deployment ID."))
        return data


class RowIdsChoiceField(forms.ModelMultipleChoiceField):
    """Checkboxes of rows by id; an id that no row can have is a form error."""

    not_a_choice = _("Choose from the list.")

    def _check_values(self, value):
        # Django passes each value to the database as it came; an id outside 64 bits
        # would be an OverflowError (a 500) on SQLite, not a form error.
        if not isinstance(value, list | tuple) or not all(map(validators.is_row_id, value)):
            raise ValidationError(self.not_a_choice, code="invalid_choice")
        return super()._check_values(value)


class ScopeChoiceField(RowIdsChoiceField):
    not_a_choice = _("Choose services from the list.")

    def label_from_instance(self, obj: Deployment) -> str:
        return f"{obj.name} ({obj.get_mode_display()}, {obj.get_status_display()})"


class AccessForm(forms.ModelForm):
    """Create (with the key) or edit (without: rotating is its own action)."""

    SCOPE_ALL = "all"
    SCOPE_SELECTED = "selected"
    EDITED_COLUMNS = ("name", "description", "expires_at", "all_services", "updated_at")

    scope = forms.ChoiceField(
        label=gettext_lazy("Associated services"),
        choices=[
            (SCOPE_ALL, gettext_lazy("All services")),
            (SCOPE_SELECTED, gettext_lazy("Selected services")),
        ],
        widget=forms.RadioSelect,
        initial=SCOPE_ALL,
    )
    deployments = ScopeChoiceField(
        label=gettext_lazy("Services"),
        queryset=Deployment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    api_key = forms.CharField(
        label=gettext_lazy("API key"),
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Paste the key from the console's API Key column. It is stored encrypted."
        ),
        validators=[validators.validate_api_key],
    )
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires"),
        required=False,
        # datetime-local takes "2026-11-29T16:20"; the value is read in the reader's zone
        # (the active time zone) and stored in UTC.
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=[
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
        ],
    )

    class Meta:
        model = ApplicationAccess
        fields = ["name", "description", "expires_at"]

    def __init__(self, *args, workspace: Workspace, with_key: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.instance.workspace = workspace
        self.limit_services(workspace)
        if not with_key:
            del self.fields["api_key"]
        self.fields["expires_at"].help_text = _(
            "Optional. In your time zone, %(zone)s. After this time the playground refuses the key."
        ) % {"zone": timezone.get_current_timezone_name()}
        if self.instance.pk:
            self.initial["scope"] = (
                self.SCOPE_ALL if self.instance.all_services else self.SCOPE_SELECTED
            )
            self.initial["deployments"] = list(self.instance.deployments.all())

    # Answers "is this name another access's?" without a query; set by a bulk import.
    name_taken = None

    def limit_services(self, workspace: Workspace) -> None:
        """Only the workspace's deployments can be chosen. (A method of its own: a bulk
        import's field already holds them, read once.)"""
        self.fields["deployments"].queryset = workspace.deployments.all()

    def clean_name(self) -> str:
        return unique_name(
            self, self.workspace.accesses, _("An application access"), taken=self.name_taken
        )

    def clean_expires_at(self):
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise ValidationError(_("The expiry must be in the future."), code="expiry_past")
        return value

    def clean(self) -> dict:
        data = super().clean()
        if data.get("scope") == self.SCOPE_SELECTED and not data.get("deployments"):
            self.add_error("deployments", _("Choose at least one service, or All services."))
        return data

    def save(self, commit: bool = True) -> ApplicationAccess:
        access = super().save(commit=False)
        access.all_services = self.cleaned_data["scope"] == self.SCOPE_ALL
        if "api_key" in self.cleaned_data:
            access.set_api_key(self.cleaned_data["api_key"])
        if commit:
            # An edit writes only what the form edits: a rotate or a disable made meanwhile
            # (the key columns, the disabled flag) is not overwritten with stale values.
            creating = access._state.adding
            access.save(update_fields=None if creating else self.EDITED_COLUMNS)
            access.deployments.set([] if access.all_services else self.cleaned_data["deployments"])
        return access


class RotateKeyForm(forms.Form):
    api_key = forms.CharField(
        label=gettext_lazy("New API key"),
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        validators=[validators.validate_api_key],
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # Through authenticate(), so failed confirmations count towards the same login
        # throttle as the sign-in page (a stolen session cannot guess the password).
        user = authenticate(
            self.request, username=self.request.user.get_username(), password=password
        )
        if user is None or user.pk != self.request.user.pk:
            raise ValidationError(_("That password is not correct."), code="bad_password")
        return password


class MemberAddForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise ValidationError(_("No active user has this username."), code="no_user")
        if self.workspace.memberships.filter(user=user).exists():
            raise ValidationError(_("This user is already a member."), code="already_member")
        self.cleaned_data["user"] = user
        return username


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


class IamCredentialForm(forms.ModelForm):
    password = forms.CharField(
        label=gettext_lazy("IAM password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Stored encrypted. Leave empty when editing to keep the current one."
        ),
    )

    class Meta:
        model = IamCredential
        fields = ["name", "iam_user", "domain_name", "project_name"]

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.instance.workspace = workspace
        if self.instance.pk:
            self.fields["password"].required = False
        else:
            self.initial.setdefault("project_name", workspace.region)

    def clean_name(self) -> str:
        return unique_name(self, self.workspace.iam_credentials, _("An IAM credential"))

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if password:
            validators.validate_secret_text(password, what=_("The password"))
        return password

    def save(self, commit: bool = True) -> IamCredential:
        credential = super().save(commit=False)
        if self.cleaned_data.get("password"):
            credential.set_password(self.cleaned_data["password"])
        if commit:
            credential.save()
        return credential


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("", gettext_lazy("All actions")), *AuditAction.choices], required=False
    )


class DeploymentFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        choices=[("", gettext_lazy("Any status")), *Deployment._meta.get_field("status").choices],
        required=False,
    )
    mode = forms.ChoiceField(
        choices=[("", gettext_lazy("Any mode")), *Mode.choices], required=False
    )


class AccessFilterForm(forms.Form):
    """Search and scope filter of the access list (a form, so odd input is just ignored)."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    scope = forms.ChoiceField(
        choices=[
            ("", gettext_lazy("Any scope")),
            ("all", gettext_lazy("All services")),
            ("selected", gettext_lazy("Selected services")),
        ],
        required=False,
    )
    expiry = forms.ChoiceField(
        choices=[("", _("Any expiry")), ("soon", _("Expiring soon"))], required=False
    )
    sort = forms.ChoiceField(
        choices=[("", _("Name")), ("expires", _("Expires soonest"))], required=False
    )

    def apply(self, accesses):
        if not self.is_valid():
            return accesses
        if q := self.cleaned_data["q"].strip():
            accesses = accesses.filter(Q(name__icontains=q) | Q(description__icontains=q))
        if scope := self.cleaned_data["scope"]:
            accesses = accesses.filter(all_services=scope == "all")
        if self.cleaned_data["expiry"] == "soon":
            accesses = accesses.expiring_soon()
        if self.cleaned_data["sort"] == "expires":
            accesses = accesses.order_by(F("expires_at").asc(nulls_last=True), "name", "id")
        return accesses

    def value(self, name: str) -> str:
        return self.cleaned_data.get(name, "") if self.is_valid() else ""
