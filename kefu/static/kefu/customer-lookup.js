// The customer lookup of the intake forms (servicedesk/_customer_field.html): a click on a found
// customer (a [data-customer] button that htmx put into #customer-results) chooses it, fills the
// caller's name from its contact when that field is still empty, and closes the list.
(function () {
  document.addEventListener("click", function (event) {
    const button = event.target.closest("#customer-results [data-customer]");
    if (!button) return;
    document.getElementById("customer-id").value = button.dataset.customer;
    document.getElementById("customer-chosen").textContent = button.dataset.customerName;
    const caller = document.getElementsByName("caller")[0];
    if (caller && !caller.value && button.dataset.contactName) caller.value = button.dataset.contactName;
    document.getElementById("customer-results").innerHTML = "";
  });
})();
