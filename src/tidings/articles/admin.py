"""The editor desk: the Django admin set up for a newsroom. Every write calls a service."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tidings.articles import selectors, services
from tidings.articles.models import (
    Article,
    ArticleTopic,
    Byline,
    Media,
    Revision,
    Section,
    StoryCluster,
    Topic,
    TopicAlias,
)
from tidings.common.errors import InvalidInput
from tidings.common.sanitise import mark_sanitised
from tidings.common.text import normalise_name
from tidings.search.selectors import tagger_top_terms

MARKDOWN_HELP = (
    "Markdown: **bold**, *italic*, [a link](https://example.com), ## a subheading, "
    "> a quotation, - a list item; a blank line starts a new paragraph. "
    "HTML is cleaned when you save: scripts, styles and unsafe links are removed."
)
MARKDOWN_PREVIEW_LIMIT = 300_000


def media_thumbnail(media: Media | None, *, size: int = 80) -> SafeString | str:
    """A small picture for lists and forms; only our own files and http(s) images are shown."""
    if media is None:
        return "—"
    src = media.src
    if not src or not src.startswith(("http://", "https://", "/")):
        return "—"
    return format_html(
        '<img src="{}" alt="{}" style="max-width:{}px;max-height:{}px;object-fit:cover" '
        'loading="lazy" referrerpolicy="no-referrer">',
        src,
        media.alt_text or media.caption[:80],
        size,
        size,
    )


def record_formset_history(formset: Any) -> None:
    """The lists the admin's change history reads, which formset.save() would have filled."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class SectionTreeFilter(admin.RelatedFieldListFilter):
    """The section filter, with each section's path read in one query."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[Any]:
        sections = Section.objects.select_related("parent__parent")
        return sorted(((section.pk, str(section)) for section in sections), key=lambda c: c[1])


# --- Articles ---------------------------------------------------------------------------------


class ArticleDeskForm(forms.ModelForm):
    read_more = forms.CharField(
        label="Read more links",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 90}),
        help_text="Shown inside the story as “Read more:”. One per line: the address, a "
        "space, then the title. Our own stories may be given as /section/slug-123/.",
    )
    correction_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Shown to readers under a published story. Say what was wrong and what "
        "changed; leave empty for small fixes such as typos.",
    )

    class Meta:
        model = Article
        fields = [
            "headline",
            "standfirst",
            "body_markdown",
            "section",
            "bylines",
            "agency",
            "dateline",
            "lead_media",
            "status",
            "published_at",
            "access",
            "canonical_url",
            "language",
        ]
        labels = {"body_markdown": "Body", "published_at": "Publication time"}
        help_texts = {
            "body_markdown": MARKDOWN_HELP,
            "published_at": "When the story goes (or went) live. Needed to schedule; "
            "left empty, publishing uses the current time.",
            "status": "Drafts and scheduled stories are visible only on the desk and in "
            "Preview. Retracting is an action in the story list.",
        }
        widgets = {
            "headline": forms.TextInput(attrs={"size": 90, "class": "vLargeTextField"}),
            "standfirst": forms.Textarea(attrs={"rows": 3, "cols": 90}),
            "body_markdown": forms.Textarea(
                attrs={"rows": 22, "cols": 90, "class": "desk-markdown", "spellcheck": "true"}
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["read_more"].initial = services.related_links_text(
            links=self.instance.related_links or []
        )
        if "status" in self.fields and self.instance.status != Article.Status.RETRACTED:
            # Retracting needs a note for readers: only the Retract action sets it.
            status = cast(forms.ChoiceField, self.fields["status"])
            status.choices = [
                choice for choice in Article.Status.choices if choice[0] != Article.Status.RETRACTED
            ]

    def clean_read_more(self) -> str:
        text = self.cleaned_data.get("read_more", "")
        try:
            self.instance.related_links = services.related_links_parse(text=text)
        except InvalidInput as error:
            raise ValidationError(str(error)) from None
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status, published_at = data.get("status"), data.get("published_at")
        if status == Article.Status.SCHEDULED:
            if published_at is None:
                self.add_error("published_at", "Choose when this story should go live.")
            elif published_at <= timezone.now():
                self.add_error(
                    "published_at",
                    "This time has passed: pick a future time, or choose Published to publish now.",
                )
        return data


class TopicTagForm(forms.ModelForm):
    class Meta:
        model = ArticleTopic
        fields = ["topic", "origin", "confidence"]

    def clean_topic(self) -> Topic:
        topic: Topic = self.cleaned_data["topic"]
        if topic.status == Topic.Status.BLOCKED:
            raise ValidationError(f"The topic “{topic}” is blocked and cannot tag stories.")
        return topic


class TopicTagInline(admin.TabularInline):
    model = ArticleTopic
    form = TopicTagForm
    extra = 1
    autocomplete_fields = ["topic"]
    verbose_name = "topic"
    verbose_name_plural = "Topics"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ArticleTopic]:
        return super().get_queryset(request).select_related("topic")


class RevisionInline(admin.TabularInline):
    model = Revision
    fields = readonly_fields = ("created_at", "editor", "headline", "correction_note")
    extra = 0
    can_delete = False
    verbose_name_plural = "Revisions (earlier versions of the published story)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Revision]:
        return super().get_queryset(request).select_related("editor")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RetractForm(forms.Form):
    note = forms.CharField(
        label="Note to readers",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Shown on the story under “Retracted.”: why it was withdrawn.",
    )


PREVIEW_BANNER = (
    '<div role="status" style="position:sticky;top:0;z-index:100;background:#fff3cd;'
    "color:#3d2e00;border-bottom:2px solid #d4a000;padding:.6rem 1rem;font:600 .95rem "
    'system-ui,sans-serif">Preview of a {status} story, as readers will see it. '
    '<a href="{back}" style="color:#0b4f8a;text-decoration:underline">Back to the desk</a></div>'
)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleDeskForm
    list_display = ["headline", "section", "status", "published_at", "source", "updated_at"]
    list_display_links = ["headline"]
    list_filter = [
        "status",
        ("section", SectionTreeFilter),
        ("source", admin.RelatedOnlyFieldListFilter),
        "access",
        "published_at",
    ]
    list_select_related = ["section__parent__parent", "source"]
    search_fields = ["headline", "standfirst", "external_id"]
    search_help_text = "Search headlines, standfirsts and external ids."
    date_hierarchy = "published_at"
    autocomplete_fields = ["section", "bylines", "lead_media"]
    readonly_fields = [
        "lead_photo",
        "body_from_source",
        "source",
        "external_id",
        "slug",
        "created_at",
        "modified_at",
    ]
    inlines = [TopicTagInline, RevisionInline]
    actions = ["retract_articles"]

    save_on_top = True
    list_per_page = 50

    def get_inlines(self, request: HttpRequest, obj: Article | None) -> list[Any]:
        if obj is None or not obj.revisions.exists():
            return [TopicTagInline]
        return [TopicTagInline, RevisionInline]

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None) -> Any:
        story = ["headline", "standfirst", "body_markdown"]
        if obj is not None and obj.body_html and not obj.body_markdown:
            story.append("body_from_source")
        story += ["read_more", "correction_note"]
        return [
            (None, {"fields": story}),
            ("Placement and credits", {"fields": ["section", "bylines", "agency", "dateline"]}),
            ("Lead photo", {"fields": ["lead_media", "lead_photo"]}),
            ("Publication", {"fields": ["status", "published_at", "access"]}),
            (
                "Source and identity",
                {
                    "classes": ["collapse"],
                    "fields": [
                        "source",
                        "external_id",
                        "canonical_url",
                        "language",
                        "slug",
                        "created_at",
                        "modified_at",
                    ],
                },
            ),
        ]

    @admin.display(description="Photo")
    def lead_photo(self, obj: Article) -> SafeString | str:
        media = obj.lead_media if obj.pk else None
        if media is None:
            return "No photo. Pick one above, or add one with the + button."
        credit = format_html(" <em>({})</em>", media.credit) if media.credit else ""
        return format_html(
            "{}<p>{}{}</p>", media_thumbnail(media, size=240), media.caption or "No caption", credit
        )

    @admin.display(description="Body from the source")
    def body_from_source(self, obj: Article) -> SafeString:
        # body_html passed the sanitiser on save; writing Markdown above replaces it.
        return format_html(
            '<div class="desk-source-body">{}</div><p class="help">This story came from its '
            "source as HTML. Write a body above only to replace it.</p>",
            mark_sanitised(obj.body_html),
        )

    def view_on_site(self, obj: Article) -> str | None:
        return obj.get_absolute_url() if obj.is_live else None

    # Writes ---------------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        note = form.cleaned_data.get("correction_note", "")
        was_live = change and form.initial.get("status") in {
            Article.Status.PUBLISHED,
            Article.Status.RETRACTED,
        }
        services.article_save_from_desk(article=obj, editor=request.user, correction_note=note)
        if note.strip() and not was_live:
            self.message_user(
                request,
                "The correction note was not kept: readers had not seen this story yet.",
                messages.WARNING,
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        services.article_bylines_set(
            article=form.instance, bylines=list(form.cleaned_data.get("bylines") or [])
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        record_formset_history(formset)
        if formset.model is ArticleTopic:
            self._save_tags(article=form.instance, formset=formset)

    def _save_tags(self, *, article: Article, formset: Any) -> None:
        for tag_form in formset.forms:
            # The form has already copied its new values onto the instance: the topic the
            # row had before comes from the form's initial data.
            original = tag_form.initial.get("topic") if tag_form.instance.pk else None
            if original is not None and formset._should_delete_form(tag_form):
                services.article_topic_untag(article=article, topic_id=original)
                formset.deleted_objects.append(tag_form.instance)
                continue
            if not tag_form.has_changed():
                continue
            topic = tag_form.cleaned_data["topic"]
            if original is not None and original != topic.pk:
                services.article_topic_untag(article=article, topic_id=original)
            origin = tag_form.cleaned_data["origin"]
            if "topic" in tag_form.changed_data and "origin" not in tag_form.changed_data:
                origin = ArticleTopic.Origin.EDITOR  # a topic the editor picked is theirs
            tag = services.article_topic_tag(
                article=article,
                topic=topic,
                origin=origin,
                confidence=tag_form.cleaned_data["confidence"],
            )
            if original is None:
                formset.new_objects.append(tag)
            else:
                formset.changed_objects.append((tag, tag_form.changed_data))

    # Retract --------------------------------------------------------------------------------

    def has_retract_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("articles.retract_article")

    @admin.action(description="Retract selected stories…", permissions=["retract"])
    def retract_articles(self, request: HttpRequest, queryset: QuerySet[Article]) -> Any:
        live = queryset.filter(status=Article.Status.PUBLISHED)
        form = RetractForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_valid():
            count = 0
            for article in live:
                services.article_retract(
                    article=article, note=form.cleaned_data["note"], editor=request.user
                )
                count += 1
            self.message_user(request, f"Retracted {count} stor{'y' if count == 1 else 'ies'}.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Retract stories",
            "opts": self.model._meta,
            "articles": list(live),
            "skipped": queryset.exclude(status=Article.Status.PUBLISHED).count(),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/article/retract.html", context)

    # Preview --------------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="articles_article_preview",
            ),
            path(
                "render-markdown/",
                self.admin_site.admin_view(self.render_markdown_view),
                name="articles_article_render_markdown",
            ),
        ]
        return own + super().get_urls()

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The story as readers will see it, in any status (staff only, never cached)."""
        # The one place the desk borrows from the reader site: the same page context, so a
        # preview cannot drift from the published page.
        from tidings.web.views.article import article_page_context

        article = selectors.article_get_for_desk(pk=int(object_id)) if object_id.isdigit() else None
        if article is None:
            raise Http404("No such article.")
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        # Not saved: a draft shows the time it would carry if it went live now.
        article.published_at = article.published_at or timezone.now()
        response = render(
            request, "web/article.html", article_page_context(request=request, article=article)
        )
        banner = PREVIEW_BANNER.format(
            status=article.get_status_display().lower(),
            back=reverse("admin:articles_article_change", args=[article.pk]),
        )
        html = response.content.decode()
        response.content = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + banner, html, count=1)
        response["X-Robots-Tag"] = "noindex, nofollow"
        add_never_cache_headers(response)
        return response

    def render_markdown_view(self, request: HttpRequest) -> HttpResponse:
        """The live preview under the body: the same rendering and sanitising as on save."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        body = request.POST.get("body", "")[:MARKDOWN_PREVIEW_LIMIT]
        response = HttpResponse(services.render_markdown(body), content_type="text/html")
        add_never_cache_headers(response)
        return response


# --- Sections ----------------------------------------------------------------------------------


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["name", "slug", "parent", "description", "position", "in_navigation"]

    def clean_slug(self) -> str:
        from tidings.web.urls import SectionConverter  # the site's own URL prefixes

        slug: str = self.cleaned_data["slug"]
        if slug in SectionConverter.reserved:
            raise ValidationError(
                f"“{slug}” is used by the site's own addresses (/{slug}/…). "
                f"Choose another, for example “{slug}-news”."
            )
        return slug

    def clean_parent(self) -> Section | None:
        parent: Section | None = self.cleaned_data.get("parent")
        node, hops = parent, 0
        while node is not None and hops < 20:
            if self.instance.pk is not None and node.pk == self.instance.pk:
                raise ValidationError("A section cannot sit inside itself or its subsections.")
            node, hops = node.parent, hops + 1
        return parent


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    form = SectionForm
    list_display = ["tree", "slug", "position", "in_navigation", "story_count"]
    list_editable = ["position", "in_navigation"]
    list_filter = ["in_navigation"]
    list_select_related = ["parent__parent"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Section]:
        return super().get_queryset(request).annotate(story_total=Count("articles"))

    @admin.display(description="Section", ordering="name")
    def tree(self, obj: Section) -> str:
        return str(obj)

    @admin.display(description="Stories", ordering="story_total")
    def story_count(self, obj: Section) -> int:
        return getattr(obj, "story_total", 0)

    def save_model(self, request: HttpRequest, obj: Section, form: Any, change: bool) -> None:
        services.section_save(section=obj)

    def delete_model(self, request: HttpRequest, obj: Section) -> None:
        services.section_delete(section=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Section]) -> None:
        # Children first, so a subsection and its parent can go in one action.
        for section in sorted(queryset, key=lambda s: -len(s.lineage())):
            services.section_delete(section=section)


# --- Topics ------------------------------------------------------------------------------------


class TopicAliasForm(forms.ModelForm):
    class Meta:
        model = TopicAlias
        fields = ["name"]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        normalised = normalise_name(name)
        if not normalised:
            raise ValidationError("An alias needs letters or digits.")
        taken = TopicAlias.objects.filter(normalised=normalised).select_related("topic").first()
        if taken is not None and taken.pk != self.instance.pk:
            raise ValidationError(f"“{name}” already names the topic “{taken.topic}”.")
        return name


class TopicAliasInline(admin.TabularInline):
    model = TopicAlias
    form = TopicAliasForm
    extra = 1
    verbose_name = "alias"
    verbose_name_plural = "Aliases (other names that find this topic)"


class MergedFilter(admin.SimpleListFilter):
    title = "merged"
    parameter_name = "merged"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Not merged"), ("yes", "Merged into another")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Topic]) -> QuerySet[Topic]:
        if self.value() == "yes":
            return queryset.filter(merged_into__isnull=False)
        if self.value() == "no":
            return queryset.filter(merged_into__isnull=True)
        return queryset


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Topic.objects.none(),
        widget=forms.RadioSelect,
        label="Keep this topic",
        help_text="The others are folded into it: their tags and aliases move, and their "
        "pages redirect to it.",
    )

    def __init__(self, *args: Any, topics: QuerySet[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["into"])
        field.queryset = topics


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "merged_target", "tag_count", "slug"]
    list_filter = ["kind", "status", MergedFilter]
    list_select_related = ["merged_into"]
    search_fields = ["name", "slug", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["merged_target", "created_at", "tagger_terms"]
    fields = [
        "name",
        "slug",
        "kind",
        "status",
        "description",
        "merged_target",
        "created_at",
        "tagger_terms",
    ]
    inlines = [TopicAliasInline]
    actions = ["merge_topics", "approve_topics", "block_topics"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Topic]:
        return super().get_queryset(request).annotate(tag_total=Count("article_topics"))

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> Any:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "articletopic":
            # Tagging offers only topics a reader can see.
            results = results.filter(merged_into__isnull=True).exclude(status=Topic.Status.BLOCKED)
        return results, may_have_duplicates

    @admin.display(description="Merged into", ordering="merged_into__name")
    def merged_target(self, obj: Topic) -> SafeString | str:
        if obj.merged_into is None:
            return "—"
        url = reverse("admin:articles_topic_change", args=[obj.merged_into.pk])
        return format_html('→ <a href="{}">{}</a>', url, obj.merged_into.name)

    @admin.display(description="Words the tagger looks for")
    def tagger_terms(self, obj: Topic) -> str:
        terms = tagger_top_terms(slug=obj.slug, count=15) if obj.pk else []
        if not terms:
            return "— (the tagger has not learned this topic: tag stories with it and retrain)"
        return ", ".join(f"{term} ({weight:.2f})" for term, weight in terms)

    @admin.display(description="Tags", ordering="tag_total")
    def tag_count(self, obj: Topic) -> int:
        return getattr(obj, "tag_total", 0)

    def save_model(self, request: HttpRequest, obj: Topic, form: Any, change: bool) -> None:
        services.topic_save_from_desk(topic=obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        record_formset_history(formset)
        topic = form.instance
        for alias_form in formset.forms:
            alias = alias_form.instance
            if alias.pk and formset._should_delete_form(alias_form):
                services.topic_alias_remove(alias=alias)
                formset.deleted_objects.append(alias)
            elif alias_form.has_changed():
                if alias.pk:
                    services.topic_alias_remove(alias=alias)
                name = alias_form.cleaned_data["name"]
                formset.new_objects.append(services.topic_alias_add(topic=topic, name=name))

    @admin.action(description="Merge selected topics into one…", permissions=["change"])
    def merge_topics(self, request: HttpRequest, queryset: QuerySet[Topic]) -> Any:
        topics = queryset.filter(merged_into__isnull=True).order_by("name")
        if topics.count() < 2:
            self.message_user(
                request, "Select at least two topics that are not merged.", messages.WARNING
            )
            return None
        form = MergeForm(request.POST if request.POST.get("post") == "yes" else None, topics=topics)
        if form.is_valid():
            into = form.cleaned_data["into"]
            merged = [topic for topic in topics if topic.pk != into.pk]
            try:
                for topic in merged:
                    services.topic_merge(merged=topic, into=into)
            except InvalidInput as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            names = ", ".join(topic.name for topic in merged)
            self.message_user(request, f"Merged {names} into {into.name}.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge topics",
            "opts": self.model._meta,
            "topics": list(topics),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/topic/merge.html", context)

    @admin.action(description="Approve selected topics", permissions=["change"])
    def approve_topics(self, request: HttpRequest, queryset: QuerySet[Topic]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        count = services.topic_status_set(topic_ids=ids, status=Topic.Status.APPROVED)
        self.message_user(request, f"Approved {count} topic(s).")

    @admin.action(description="Block selected topics", permissions=["change"])
    def block_topics(self, request: HttpRequest, queryset: QuerySet[Topic]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        count = services.topic_status_set(topic_ids=ids, status=Topic.Status.BLOCKED)
        self.message_user(request, f"Blocked {count} topic(s): hidden from pages and tagging.")


# --- Bylines, media, story clusters ------------------------------------------------------------


@admin.register(Byline)
class BylineAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "story_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Byline]:
        return super().get_queryset(request).annotate(story_total=Count("articles"))

    @admin.display(description="Stories", ordering="story_total")
    def story_count(self, obj: Byline) -> int:
        return getattr(obj, "story_total", 0)


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "__str__", "credit", "kind", "created_at"]
    list_display_links = ["thumbnail", "__str__"]
    list_filter = ["kind", "created_at"]
    search_fields = ["caption", "credit", "alt_text", "url"]
    readonly_fields = ["large_thumbnail", "created_at"]
    fields = [
        "large_thumbnail",
        "kind",
        "file",
        "url",
        "caption",
        "credit",
        "alt_text",
        "width",
        "height",
        "created_at",
    ]

    @admin.display(description="Photo")
    def thumbnail(self, obj: Media) -> SafeString | str:
        return media_thumbnail(obj)

    @admin.display(description="Preview")
    def large_thumbnail(self, obj: Media) -> SafeString | str:
        return media_thumbnail(obj, size=360) if obj.pk else "Shown once saved."


class ClusterArticleInline(admin.TabularInline):
    model = Article
    fk_name = "story_cluster"
    fields = readonly_fields = ("headline", "source", "status", "published_at")
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = "Articles in this story"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).select_related("source")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StoryCluster)
class StoryClusterAdmin(admin.ModelAdmin):
    """Read-only: the enrichment pipeline builds story clusters."""

    list_display = ["title", "article_count", "first_published_at", "last_published_at"]
    search_fields = ["title"]
    date_hierarchy = "last_published_at"
    fields = readonly_fields = ("title", "article_count", "first_published_at", "last_published_at")
    inlines = [ClusterArticleInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
