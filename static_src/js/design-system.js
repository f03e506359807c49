// Start the design system's components (GOV.UK Frontend: the service navigation's menu button on a
// phone, the error summary taking focus, ...). Pages work without it; it only enhances them.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
if (window.GOVUKFrontend) {
  window.GOVUKFrontend.initAll();
}
