def test_window_opens_on_emulator(window, qtbot):
    assert window.target_panel.base_url.text().startswith("http://127.0.0.1:")
    window.form.get_code_button.click()
    qtbot.waitUntil(lambda: window.form.code.text() != "", timeout=10000)
    window.form.send_button.click()
    qtbot.waitUntil(lambda: window.response_panel.access_token() != "", timeout=10000)
